// File names as bytes. Linux names are bytes, not text: a name written on a Latin-1 system
// ("caf\xe9.nii.gz") is no valid UTF-8, and listed as text Node replaces the byte with U+FFFD, a
// name no file has; reading it then failed as "does not exist". Listings take names as bytes and
// say which ones cannot be named as text, with those bytes escaped.

/** The name as text, or null when its bytes are not UTF-8 (decoding would change them). */
export function utf8Name(bytes: Buffer): string | null {
  const text = bytes.toString('utf8')
  return Buffer.from(text, 'utf8').equals(bytes) ? text : null
}

/** A name with every byte outside printable ASCII (and the backslash) written as \xHH: "caf\xe9.nii.gz". */
export function escapedName(bytes: Buffer): string {
  let out = ''
  for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`
  return out
}

/** What to do about names that are not UTF-8, for a finding's hint. */
export const RENAME_NOT_UTF8 = 'Rename it to a UTF-8 name (e.g. convmv -f latin1 -t utf8 --notest FILE, or in a file manager): a name that is not text cannot be passed on to nnU-Net or written to the manifest.'
