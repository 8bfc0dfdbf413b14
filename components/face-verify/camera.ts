/**
 * Opening the camera, with the reasons it can fail told apart: a frame whose embedding page did not
 * grant `allow="camera"` (the permissions policy), a visitor or a setting that denied it, no camera,
 * or one that is in use.
 */
import { ElementError } from '../shared/errors.js';

export type CameraErrorKind = 'camera-blocked' | 'camera-denied' | 'no-camera' | 'camera-unavailable';

export class CameraError extends ElementError {
  override name = 'CameraError';
  constructor(override readonly kind: CameraErrorKind, message: string) {
    super(kind, message);
  }
}

interface PolicyDocument {
  permissionsPolicy?: { allowsFeature(feature: string): boolean };
  featurePolicy?: { allowsFeature(feature: string): boolean };
}

/**
 * Whether this document's permissions policy lets it use a camera: false in a cross-origin
 * `<iframe>` without `allow="camera"`; null where the browser cannot say (no policy API).
 */
export function cameraAllowedByPolicy(doc: Document = document): boolean | null {
  const policy = (doc as Document & PolicyDocument).permissionsPolicy ?? (doc as Document & PolicyDocument).featurePolicy;
  try {
    return policy ? policy.allowsFeature('camera') : null;
  } catch {
    return null;
  }
}

function inFrame(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}

const BLOCKED = 'The camera is blocked here: this page is embedded in a frame that does not allow it. '
  + 'The site that embeds it must add allow="camera" to its <iframe> (photos can still be chosen or dropped).';

/** getUserMedia for video, or a CameraError saying why not. */
export async function openCamera(video: MediaTrackConstraints): Promise<MediaStream> {
  if (cameraAllowedByPolicy() === false) throw new CameraError('camera-blocked', BLOCKED);
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError('camera-unavailable', 'This page cannot use a camera: browsers offer cameras only to secure (https) pages.');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio: false });
  } catch (e) {
    const err = e as DOMException;
    if (err.name === 'NotAllowedError' || err.name === 'SecurityError') {
      if (cameraAllowedByPolicy() === false) throw new CameraError('camera-blocked', BLOCKED);
      if (inFrame() && cameraAllowedByPolicy() === null) {
        throw new CameraError('camera-blocked', `The camera was refused (${err.message}). This page is in a frame: the site that embeds it may need to add allow="camera" to its <iframe>, or the camera was denied in the browser's settings.`);
      }
      throw new CameraError('camera-denied', `Camera access was denied (${err.message}). Allow the camera for this site in the browser (the camera icon by the address), then try again.`);
    }
    if (err.name === 'NotFoundError' || err.name === 'OverconstrainedError') throw new CameraError('no-camera', 'No camera was found on this device.');
    throw new CameraError('camera-unavailable', `The camera could not be started (${err.name}: ${err.message}); another application may be using it.`);
  }
}
