// Package pipeline stylizes the frames of a video with the Gatys et al.
// engine of package stylize, on a pool of workers or on many machines,
// with every finished frame checkpointed as a PNG in a work directory.
//
// # Warm start and segments
//
// With a warm start frame t is painted starting from the stylized frame
// t−1: as it is ("prev") or warped along the optical flow into frame t
// ("flow", gogh video's default, with the temporal loss holding it there),
// so consecutive frames land in the same local optimum and the video does
// not flicker; that makes a chain of frames sequential. To paint a clip
// with several chains at once (workers in one process, or shards on many
// machines) its frames are split into contiguous segments ([Split]),
// one chain each. Every segment but the first starts its chain Overlap
// frames early (a warm-up, painted but not saved), so that its first frame
// is warm-started like the frames inside a chain.
//
// # Seams
//
// Two chains started at different frames settle in different optima: a
// segment's first frame still jumps from the previous segment's last.
// So once both segments of a boundary are done, [Seams] paints the first
// Seam frames of the later segment again as the continuation of the
// earlier segment's chain, each also started part of the way toward the
// later chain's painting of the same frame and held to it, the more the
// later the frame, and saves them as Workdir/seam-NNNNNN.png, which
// [Encode] uses in place of the frames. The look then moves from one
// chain to the other over Seam+1 frame steps along the flow. Measured at
// 32x24 (TestSeam): the frame pairs around the boundary have a warping
// error 1.79 times that of one uninterrupted chain's same pairs without
// the seam, 1.07 times with it; over the clip 1.28 and 1.00 times. One
// worker has no boundary. With warm start "none" every frame starts from
// its content frame: no warm-up and no seams.
//
// # Checkpoints and shards
//
// Each stylized frame is written to Workdir/frame-NNNNNN.png (atomically)
// as soon as it is done, and Workdir/job.json records the settings and
// the files (by SHA-256): a run of the same job skips the saved frames
// (each read back in full first: a damaged one is painted again) and
// continues each chain from its last saved frames, read back from the
// PNGs together with the content frames: as many as the chain looks back
// at (one, or the longest --temporal-frames distance), painting the
// segment's warm-up again when those reach before the segment. The
// number of segments, --overlap and --seam are part of the job, so a run
// that continues must use the same ones. A run of another job is refused;
// only Discard deletes saved frames.
//
// A shard (Config.Shard, K of N) is segment K of N painted by one process
// with all its threads; shards run at the same time on any machines that
// see the work dir. The locks (see lockName) keep two processes from
// painting one segment or one seam, and a process deleting frames from
// running beside any other. A shard killed at any point continues when
// run again; run again after it finished, it paints nothing. Because
// every chain already passes frames on in 8-bit precision (the next frame
// starts from exactly the pixels saved), a resumed run paints the same
// frames as an uninterrupted one with the same thread count.
package pipeline
