/**
 * The question model/ asks probe/ when it infers GIL waits from a scheduler-only recording's
 * stack copies (model/gil-wait-scan.ts asks, probe/gil-wait-classifier.ts answers from the ELF
 * files on this machine): what is this address, mapped from that file, as far as GIL waits go?
 */

/** What an address inside a mapped file is, as far as GIL waits go. */
export type CodeKind =
  /** A return site inside take_gil (or a clone: take_gil.constprop.0, ...). */
  | 'take_gil'
  /** A return site in another function of a file that holds take_gil: a live Python frame. */
  | 'python'
  /** Anything else (other libraries, data, not a return site, unknown file). */
  | 'other';

/** A runtime address as the recording's mmap records place it in a file. */
export interface MappedCode {
  readonly file: string;
  readonly offset: number;
  /** The mapping it falls in (file offset and length), to check the file still has that layout. */
  readonly mapOffset: number;
  readonly mapLength: number;
  /** The recording's build-id of the file, when it has one. */
  readonly buildId?: string;
}

export type CodeClassifier = (code: MappedCode) => CodeKind;
