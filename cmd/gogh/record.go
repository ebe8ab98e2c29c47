package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gogh-video/gogh/internal/record"
	"github.com/gogh-video/gogh/picture"
)

// notSettings are the flags that say where the output goes or how the
// run reports, not how it paints: a record leaves them out.
var notSettings = map[string]bool{"output": true, "log": true, "log-every": true, "save-every": true, "like": true, "help": true}

// newRecord records cmd's flags (every one that sets how it paints, given
// or not) and the input files, given as flag, path pairs ("" paths
// skipped).
func newRecord(cmd *cobra.Command, files ...string) (record.Record, error) {
	r := record.Record{Version: record.Version(), Command: cmd.Name()}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !notSettings[f.Name] {
			r.Flags = append(r.Flags, record.Flag{Name: f.Name, Value: flagValue(f.Value.Type(), f.Value.String())})
		}
	})
	for i := 0; i+1 < len(files); i += 2 {
		if files[i+1] == "" {
			continue
		}
		if err := r.AddFile(files[i], files[i+1]); err != nil {
			return r, err
		}
	}
	return r, nil
}

// flagValue is a flag's value as it would be given: a list without the
// brackets pflag shows it in.
func flagValue(typ, v string) string {
	if strings.HasSuffix(typ, "Slice") {
		v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	}
	return v
}

// like sets every flag of cmd that the command line did not give to its
// value in the record kept in file (see gogh info), after checking that
// the record is of this command and its input files are unchanged.
func like(ctx context.Context, cmd *cobra.Command, file string) error {
	r, err := record.Read(ctx, file)
	if err != nil {
		return fmt.Errorf("--like %w", err)
	}
	if r.Command != cmd.Name() {
		return fmt.Errorf("--like %s: painted by gogh %s, not gogh %s", file, r.Command, cmd.Name())
	}
	var files []record.File
	for _, f := range r.Files {
		if fl := cmd.Flags().Lookup(strings.TrimLeft(f.Flag, "-")); fl != nil && !fl.Changed {
			files = append(files, f) // inputs given anew need not be the same
		}
	}
	if err := (record.Record{Files: files}).Check(); err != nil {
		return fmt.Errorf("--like %s: %w", file, err)
	}
	for _, f := range r.Flags {
		fl := cmd.Flags().Lookup(f.Name)
		if fl == nil || fl.Changed || notSettings[f.Name] || f.Value == flagValue(fl.Value.Type(), fl.DefValue) {
			continue
		}
		if err := cmd.Flags().Set(f.Name, f.Value); err != nil {
			return fmt.Errorf("--like %s: --%s %q: %w", file, f.Name, f.Value, err)
		}
	}
	return nil
}

// saveRecorded writes im to path, with the record as text chunks for a PNG
// (see picture.Save for other names).
func saveRecorded(path string, im picture.Image, r record.Record) error {
	if strings.EqualFold(filepath.Ext(path), ".png") {
		return picture.SavePNGText(path, im, r.Text())
	}
	return picture.Save(path, im)
}

// videoComment is the record of the video painted in workdir: its job.
func videoComment(workdir string) string {
	data, err := os.ReadFile(filepath.Join(workdir, "job.json"))
	if err != nil {
		return ""
	}
	return record.Record{Version: record.Version(), Command: "video", Job: data}.Comment()
}

func newInfoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "info FILE",
		Short: "Print the settings a PNG or video was painted with",
		Long: `Print the settings gogh kept in a painting: its version, the command and the value
of each of its flags, and the input files by path and SHA-256 (PNG text chunks; a
video's comment holds its job). gogh image --like FILE paints again with them.`,
		Args: cobra.ExactArgs(1),
		RunE: runE(nil, func(cmd *cobra.Command, args []string) error {
			return printInfo(cmd.Context(), cmd.OutOrStdout(), args[0])
		}),
	}
}

func printInfo(ctx context.Context, w io.Writer, path string) error {
	r, err := record.Read(ctx, path)
	if err != nil {
		return err
	}
	for _, l := range r.Lines() {
		fmt.Fprintln(w, l)
	}
	return nil
}
