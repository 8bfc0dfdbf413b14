/**
 * The seam between 1:K face recognition and where a gallery's descriptors live: the GPU exact
 * index (the default, persisted through a GalleryStorage), PostgreSQL + pgvector, PGlite.
 * `FaceGallery` (validation, thresholds, import/export) runs on any of them.
 */

/** One person's descriptors, as enrolled. */
export interface PersonDescriptors {
  id: string;
  descriptors: Float32Array[];
}

export interface PersonSummary {
  id: string;
  descriptors: number;
}

export interface Match {
  id: string;
  /** Euclidean distance to the person's nearest enrolled descriptor. */
  distance: number;
}

/** What a gallery index holds: descriptors of `dims` values, computed by the network `descriptor`. */
export interface GalleryIdentity {
  dims: number;
  /** The descriptor network ('dlib', 'mobilefacenet', …): descriptors of different networks cannot be compared. */
  descriptor: string;
}

export interface GalleryIndex extends GalleryIdentity {
  /** Loads or connects; refuses storage holding another descriptor network or size (GalleryError). */
  open(): Promise<void>;
  /**
   * Adds descriptors to each person (created when new), all or nothing: a failure stores none of
   * them. Descriptors are checked by FaceGallery before they get here.
   */
  add(people: readonly PersonDescriptors[]): Promise<void>;
  /** Forgets a person: their descriptors are erased from memory, the GPU and storage. False if unknown. */
  remove(id: string): Promise<boolean>;
  /** Forgets everyone. */
  clear(): Promise<void>;
  get(id: string): Promise<Float32Array[] | null>;
  list(): Promise<PersonSummary[]>;
  count(): Promise<{ people: number; descriptors: number }>;
  /** The k people nearest to the query (each by their nearest descriptor), nearest first. */
  search(query: Float32Array, k: number): Promise<Match[]>;
  /** Every person with their descriptors, in enrolment order (export, the learned-head search). */
  entries(): AsyncIterable<PersonDescriptors>;
  /** Releases GPU memory, files and connections; the index cannot be used after. */
  close(): Promise<void>;
}

/**
 * Incremental persistence for an index that searches in memory (the GPU index): each change is
 * one durable write, never a rewrite of the whole gallery.
 * Node: an append-only binary file (src/host/gallery-file.ts); browsers: IndexedDB, one record
 * per person (src/host/gallery-indexeddb.ts).
 */
export interface GalleryStorage {
  /** Everything stored, checked against the identity (GalleryError on a mismatch or damage). */
  load(identity: GalleryIdentity): Promise<PersonDescriptors[]>;
  /**
   * Stores added descriptors (all or nothing). Each write returns what other writers changed
   * since this one's last load or write (processes sharing a file), for the caller to apply to
   * its memory first.
   */
  append(people: readonly PersonDescriptors[]): Promise<GalleryChange[]>;
  /** Erases a person's descriptors from storage. */
  remove(id: string): Promise<GalleryChange[]>;
  clear(): Promise<GalleryChange[]>;
  close(): Promise<void>;
}

/** A change another writer made to a shared storage. */
export type GalleryChange = { kind: 'add'; person: PersonDescriptors } | { kind: 'remove'; id: string } | { kind: 'clear' };

export class GalleryError extends Error {
  override name = 'GalleryError';
}

/** Why a descriptor cannot be stored (wrong length, a value that is not finite), or null. */
export function descriptorProblem(d: ArrayLike<number>, dims: number): string | null {
  if (d.length !== dims) return `descriptor has ${d.length} values, the gallery holds ${dims}`;
  for (let k = 0; k < d.length; k++) if (!Number.isFinite(d[k])) return `descriptor value ${k} is ${String(d[k])}, not a finite number`;
  return null;
}
