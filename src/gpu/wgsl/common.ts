// WGSL pieces shared by several kernels: the control block and the non-finite test.
//
// Ctl is the engine's device-resident step state (one small storage buffer). The loss and norm kernels
// write loss/norm and their non-finite flags; the update kernel reads them (and skips a bad step); the
// settle kernel then advances the counters the CPU Trainer keeps in TrainState (badSteps, lrScale, optT)
// by the same rules, so a bad step found on the device changes the very next step's update without a
// round trip to the host. The host reads a copy back asynchronously and replays the same rules.

/** Field order of Ctl, in 4-byte words (the host reads it back as a Float32Array/Uint32Array pair). */
export const CTL = { loss: 0, norm: 1, lossBad: 2, normBad: 3, t: 4, lrScale: 5, badSteps: 6, bad: 7 } as const;
export const CTL_WORDS = 8;

export const ctlStruct = /* wgsl */ `
struct Ctl {
  loss: f32,        // mean loss of the step (nats)
  norm: f32,        // global L2 norm of the gradient, before clipping
  lossBad: u32,     // the loss was NaN/Inf
  normBad: u32,     // a gradient entry (or the norm) was NaN/Inf
  t: f32,           // optimizer updates done (Adam's t), exact in f32 up to 2^24
  lrScale: f32,     // multiplier on the scheduled learning rate (halved on repeated bad steps)
  badSteps: u32,    // consecutive non-finite steps
  bad: u32,         // this step was skipped
}
`;

/** IEEE test on the bits (WGSL has no isNan/isInf, and min/max/clamp may drop a NaN). */
export const nonFinite = /* wgsl */ `
fn nonFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u; }
`;
