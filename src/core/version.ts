// Kestrel's version (checked against package.json by test/unit/tuning-profile.test.ts): tuning profiles are keyed by
// it.
export const KESTREL_VERSION = '0.1.0';
