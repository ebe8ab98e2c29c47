// Command gogh paints photos and videos in the style of a painting with
// the optimization method of Gatys et al., "A Neural Algorithm of
// Artistic Style": an image is optimized, pixel by pixel, so that its
// VGG19 features match a content image and its feature Gram matrices match
// a style image.
//
// Run "gogh help" for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gogh:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "gogh",
		Short: "Paint photos and videos in the style of a painting (Gatys et al. neural style transfer)",
		Long: `gogh paints photos and videos in the style of a painting: an image is optimized,
pixel by pixel, so that its VGG19 features match a content image and its feature
Gram matrices match a style image (Gatys, Ecker & Bethge, "A Neural Algorithm of
Artistic Style").`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newImageCmd(), newLossCmd(), newWeightsCmd(), newReconstructCmd(), newTextureCmd(), newGridCmd(), newInitCompareCmd(), newStudyCmd(), newVideoCmd(), newAssembleCmd(), newStatusCmd(), newCompareCmd(), newSamplesCmd(), newInfoCmd())
	return root
}
