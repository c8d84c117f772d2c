// Seeded random numbers: the sequence of the `seedrandom` package's default generator, without the package.
//
// Outline (the facts come from seedrandom 3.0.5, seedrandom.js; the code here is our own):
//   key       the seed's UTF-16 code units folded into at most 256 key bytes: position p of the seed
//             lands on key byte p mod 256, as (smear + code unit) mod 256, where smear is XORed with
//             19 times that key byte's previous value (0 while unset) first; an empty seed is the key [0]
//   keystream RC4: the standard key schedule over a 256-byte permutation, then the first 256 output
//             bytes discarded (RC4-drop[256])
//   double    six keystream bytes as a big-endian integer n < 2^48 over 2^48; while n < 2^52 one more
//             byte is appended (n shifted left 8 bits, the byte kept aside as the next low byte); then
//             n, the denominator and the kept byte are halved until n < 2^53, and the result is
//             (n + byte) / denominator: at least 52 random bits, exact in a double, in [0, 1)
// seedrandom also mixes each new generator's permutation, and at load a Math.random() value, into a
// module-wide pool; that pool only feeds its auto-seeded and entropy modes, never a string seed.

/** Bytes of RC4's permutation; also the most key bytes a seed fills. */
const STATE_BYTES = 256;
/** Keystream bytes a double starts with: n < 2^48. */
const FIRST_BYTES = 6;
/** The denominator after the first six bytes. */
const FIRST_DENOMINATOR = 2 ** 48;
/** n must reach this many bits' worth (2^52) before the double is formed ... */
const ENOUGH_BITS = 2 ** 52;
/** ... and stay below 2^53, so that n + the last byte is exact. */
const TOO_MANY_BITS = 2 ** 53;

/**
 * A generator of doubles in [0, 1) seeded by a string: exactly the numbers, in order, of
 * `seedrandom(seed)()` (the seedrandom package's default ARC4 generator, called as a plain function
 * with a string seed). The simulator used seedrandom for every seeded choice (forecast noise, random
 * ties, synthetic workloads, training windows), so existing results depend on that sequence; this
 * module keeps them byte-identical while sparing the CLI the package's load at start-up (its index
 * loads six further generators and its module body calls Math.random). Only the string-seed path is
 * reproduced: no auto-seeding, no `.int32()`, `.quick()` or `.state()`. Deterministic: neither
 * Math.random nor any entropy source is read. Each call advances one typed-array state and allocates
 * nothing.
 */
export function seededRandom(seed: string): () => number {
  // The key: seed code units folded onto at most 256 bytes (unset bytes count as 0 in the smear).
  const key = new Uint8Array(STATE_BYTES);
  let smear = 0;
  for (let p = 0; p < seed.length; p++) {
    const k = p & 0xff;
    smear ^= key[k]! * 19;
    key[k] = (smear + seed.charCodeAt(p)) & 0xff;
  }
  // An empty seed gives the one-byte key [0]; key[0] is already 0.
  const keyLength = Math.max(1, Math.min(seed.length, STATE_BYTES));

  // RC4 key schedule.
  const s = new Uint8Array(STATE_BYTES);
  for (let p = 0; p < STATE_BYTES; p++) s[p] = p;
  let j = 0;
  for (let p = 0; p < STATE_BYTES; p++) {
    const t = s[p]!;
    j = (j + key[p % keyLength]! + t) & 0xff;
    s[p] = s[j]!;
    s[j] = t;
  }

  // RC4 output: both indices start at 0 again.
  let i = 0;
  j = 0;
  const nextByte = (): number => {
    i = (i + 1) & 0xff;
    const a = s[i]!;
    j = (j + a) & 0xff;
    const b = s[j]!;
    s[i] = b;
    s[j] = a;
    return s[(a + b) & 0xff]!;
  };
  for (let p = 0; p < STATE_BYTES; p++) nextByte();

  return (): number => {
    let n = 0;
    for (let p = 0; p < FIRST_BYTES; p++) n = n * 256 + nextByte();
    let d = FIRST_DENOMINATOR;
    let low = 0;
    while (n < ENOUGH_BITS) {
      n = (n + low) * 256;
      d *= 256;
      low = nextByte();
    }
    // n is a multiple of 256 here (at most 7 halvings needed, n < 2^60), so halving stays exact;
    // the kept byte loses the bits that no longer fit.
    while (n >= TOO_MANY_BITS) {
      n /= 2;
      d /= 2;
      low >>>= 1;
    }
    return (n + low) / d;
  };
}
