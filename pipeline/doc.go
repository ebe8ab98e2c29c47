// Package pipeline stylizes the frames of a video with the Gatys et al.
// engine of package stylize, on a pool of workers, with every finished
// frame checkpointed as a PNG in a work directory.
//
// # Warm start and segments
//
// With a warm start frame t is painted starting from the stylized frame
// t−1: as it is ("prev") or warped along the optical flow into frame t
// ("flow", gogh video's default, with the temporal loss holding it there),
// so consecutive frames land in the same local optimum and the video does
// not flicker; that makes a chain of frames sequential. To use several workers the frames are split into contiguous
// segments, one chain per worker ([Split]). A chain that began cold at a
// segment's first frame would look different from the end of the
// previous segment (a visible "pop"), so every segment but the first
// starts its chain Overlap frames early: those warm-up frames belong to
// the previous segment, and the segment's first saved frame is already
// warm-started. This narrows the jump but does not remove it: two chains
// started cold at different frames settle in different optima. So the
// warm-up frames are saved too, as Workdir/warm-NNNNNN.png, and [Encode]
// cross-fades over them from the previous chain's frames to the next
// chain's, ending at the warm-up frame the next segment continued from:
// the jump is spread over Overlap+1 steps. (Only warm-up frames after the
// previous segment's first frame are saved, so that two cross-fades never
// touch.) Measured at 32x24 with 10/4 steps (TestBoundary): the boundary
// jumps 51.8 levels without warm-up and 32.1 with 2 frames; with those 2
// frames cross-faded the largest step between consecutive frames around
// the boundary is 11.9, against 4-5 between frames of one chain. One
// worker has no boundary at all. With warm start "none" every frame
// starts from its content frame and segments need no warm-up (and there
// is no cross-fade).
//
// # Checkpoints
//
// Each stylized frame is written to Workdir/frame-NNNNNN.png (atomically)
// as soon as it is done, like each warm-up frame kept for the cross-fade,
// and Workdir/job.json records the settings and the files (by SHA-256):
// a run of the same job skips the saved frames (each read back in full
// first: a damaged one is painted again) and continues each chain from its last saved frames (or, at a
// segment's start, its last saved warm-up frames), read back from the
// PNGs together with the content frames: as many as the chain looks back
// at (one, or the longest --temporal-frames distance), repainting the
// start of the warm-up when those reach before its saved frames; a
// segment missing a warm-up frame paints its warm-up again.
// --workers and --overlap are part of the job (they decide the segments and
// which warm-up frames are cross-faded), so a run that continues must
// use the same ones. A run of another job is refused; only Discard
// deletes saved frames. Run and Encode hold the work dir's lock
// (Workdir/lock). Because every chain already passes frames on
// in 8-bit precision (the next frame starts from exactly the pixels
// saved), a resumed run paints the same frames as an uninterrupted one
// with the same worker and thread counts.
package pipeline
