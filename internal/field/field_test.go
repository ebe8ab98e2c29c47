package field

import (
	"errors"
	"fmt"
	"testing"
)

func TestError(t *testing.T) {
	err := Errorf("Steps", "must be at least 1, got %d", 0)
	if err.Error() != "Steps: must be at least 1, got 0" {
		t.Errorf("message %q", err)
	}
	wrapped := fmt.Errorf("frame 3: %w", err)
	var fe *Error
	if !errors.As(wrapped, &fe) || fe.Name != "Steps" {
		t.Errorf("errors.As(%v) = %+v", wrapped, fe)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Prefix("Weights", Errorf("Style", "bad")), "Weights.Style: bad"},
		{Prefix("Weights", errors.New("plain")), "plain"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
