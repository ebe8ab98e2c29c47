// Command sheet lays out images as a labelled contact sheet (the README's
// figures):
//
//	go run ./bench/sheet -o SHEET.jpg [-cols 4] [-cell 192] LABEL=FILE...
//
// A label is drawn under each image, in the order given, left to right and
// top to bottom. SHEET is a JPEG (.jpg) or a PNG.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gogh-video/gogh/internal/figure"
	"github.com/gogh-video/gogh/picture"
)

func main() {
	out := flag.String("o", "", "the sheet (.jpg or .png)")
	cols := flag.Int("cols", 4, "columns")
	cell := flag.Int("cell", 192, "cell size in pixels")
	flag.Parse()
	if err := run(*out, *cols, *cell, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "sheet:", err)
		os.Exit(1)
	}
}

func run(out string, cols, cell int, args []string) error {
	if out == "" || len(args) == 0 {
		return fmt.Errorf("usage: sheet -o SHEET.jpg [-cols N] [-cell PX] LABEL=FILE…")
	}
	var cells []figure.Cell
	for _, a := range args {
		label, file, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("%q: want LABEL=FILE", a)
		}
		m, err := picture.Decode(file)
		if err != nil {
			return err
		}
		cells = append(cells, figure.Cell{Label: label, Image: m})
	}
	return picture.Save(out, picture.FromImage(figure.Sheet(cells, cols, cell)))
}
