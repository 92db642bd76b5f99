//! Deterministic randomness for demo data: a 64-bit hash and the uniform and normal numbers
//! drawn from it. The same inputs always give the same numbers, on every machine.

/// SplitMix64's finalizer: a tiny, fast, well-mixed 64-bit hash.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) from the 53 high bits of a hash.
pub fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal number (Box–Muller) from the two uniform numbers `uniform(2 × salt)` and
/// `uniform(2 × salt + 1)`.
pub fn normal(salt: u64, uniform: impl Fn(u64) -> f64) -> f64 {
    let u1 = uniform(salt.wrapping_mul(2)).max(1e-300);
    let u2 = uniform(salt.wrapping_mul(2) + 1);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
