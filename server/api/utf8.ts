/**
 * JSON bodies are UTF-8 (RFC 8259 §8.1). A body whose bytes are not is refused with 415 by both
 * the Express parser and the lean dispatcher, never decoded with replacement characters.
 */
export class NotUtf8Error extends Error {
  constructor() {
    super('the request body is not UTF-8');
    this.name = 'NotUtf8Error';
  }
}

const FATAL_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes are well-formed UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    FATAL_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
