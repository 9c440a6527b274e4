// Internal to the package (not exported from its index): what a module derives from a value it may keep.

/**
 * Resolutions that `resolveLandlockCompatibility` built for validated policies and keeps: frozen all the
 * way down and built by this package, so what is derived from one (the helper's policy bytes) can be kept
 * too.
 */
export const keptResolutions: WeakSet<object> = new WeakSet();
