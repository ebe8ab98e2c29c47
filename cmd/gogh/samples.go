package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/samples"
)

func newSamplesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "samples",
		Short: "List the public-domain sample style and clips, or download them",
		Long: `List the sample media gogh knows: public-domain and CC0 paintings and clips,
downloaded on first use into the user cache and verified by sha256. "gogh video"
with no input uses the ` + samples.DefaultClip + ` clip, and with no -s the ` + samples.DefaultStyle + ` style.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tLICENSE\tWHERE\tCREDIT")
			for _, it := range samples.Items() {
				where, path := samples.Locate(it)
				if path != "" {
					where += " " + path
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Name, it.Kind, it.License, where, it.Credit)
			}
			return tw.Flush()
		},
	}
	get := &cobra.Command{
		Use:   "get NAME...",
		Short: "Download samples into the user cache (unless already there) and print their paths",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range args { // every name is known before anything is fetched
				if _, err := samples.Lookup(name); err != nil {
					return err
				}
			}
			for _, name := range args {
				p, err := samples.Get(cmd.Context(), name, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", name, p)
			}
			return nil
		},
	}
	cmd.AddCommand(get)
	return cmd
}
