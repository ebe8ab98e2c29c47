// Package decode turns a video file into raw RGB frames: it probes the file
// with ffprobe, resolves the user's range/rate/size options into a Plan, and
// streams the planned frames out of an ffmpeg process over a pipe (no
// temporary files).
//
// Frame numbering. Output frame k of a video at output rate F is what the
// video shows at time k/F (seconds from the start of the file), i.e. the
// source frame ffmpeg's fps filter picks for that instant. This numbering
// does not depend on where decoding starts, so any sub-range of a Plan
// (Plan.Sub) decodes to exactly the same pixels as the same frames of the
// whole Plan; workers can each decode only their own segment.
package decode
