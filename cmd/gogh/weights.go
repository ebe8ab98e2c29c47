package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gogh-video/gogh/stylize/weights"
)

func newWeightsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "weights",
		Short: "Install or locate the VGG19 weights",
	}
	var from string
	install := &cobra.Command{
		Use:   "install [--from FILE|URL]",
		Short: "Verify VGG19 weights and install them in the user cache",
		Long: `Download (or copy) VGG19 weights in safetensors format with torchvision's
vgg19().features keys, verify them, and install the feature layers in the user
cache, where every gogh command finds them. The default source is
` + weights.DefaultURL + ` (548 MB).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dst, err := weights.CachePath()
			if err != nil {
				return err
			}
			if err := weights.Install(cmd.Context(), from, dst, cmd.ErrOrStderr()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "installed", dst)
			return nil
		},
	}
	install.Flags().StringVar(&from, "from", "", "file or http(s) URL to install from (default "+weights.DefaultURL+")")
	var flag string
	path := &cobra.Command{
		Use:   "path",
		Short: "Print which weights file gogh will use",
		Args:  cobra.NoArgs,
		RunE: runE(nil, func(cmd *cobra.Command, _ []string) error {
			p, err := weights.Resolve(flag)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), p)
			return nil
		}),
	}
	path.Flags().StringVar(&flag, "weights", "", "as for the other commands")
	cmd.AddCommand(install, path)
	return cmd
}
