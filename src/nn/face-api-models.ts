/**
 * The pretrained networks of the npm package `@vladmandic/face-api` (folder `model/`), with
 * the SHA-256 of each shard of version 1.7.15, so a wrong or corrupted file is caught on load.
 */
export const FACE_API_MODELS = {
  faceRecognition: { manifest: 'face_recognition_model-weights_manifest.json', sha256: { 'face_recognition_model.bin': 'b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589' } },
  ssdMobilenetV1: { manifest: 'ssd_mobilenetv1_model-weights_manifest.json', sha256: { 'ssd_mobilenetv1_model.bin': '2835640602d53718aa6ae9a42896327eaa21beefed056c218d32ca7d79e1e2f8' } },
  tinyFaceDetector: { manifest: 'tiny_face_detector_model-weights_manifest.json', sha256: { 'tiny_face_detector_model.bin': 'b7503ce7df31039b1c43316a9b865cab6a70dd748cc602d3fa28b551503c3871' } },
  faceLandmark68: { manifest: 'face_landmark_68_model-weights_manifest.json', sha256: { 'face_landmark_68_model.bin': '4611ef65c87d836d03d684b30eec4d195d8b219fa1dd58fc58945831c6b9299b' } },
  faceLandmark68Tiny: { manifest: 'face_landmark_68_tiny_model-weights_manifest.json', sha256: { 'face_landmark_68_tiny_model.bin': 'b98e9f2f7da76f8a6dda9741a36ed485b224b889d552de2b2c1bb16217f67bfc' } },
} as const;

export type FaceApiModel = keyof typeof FACE_API_MODELS;
