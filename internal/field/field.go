// Package field is how gogh's libraries report an invalid setting: by the
// name of the options field that holds it ("Steps", "Weights.Style"), never
// by a command-line flag. The command line maps field names to its flags.
package field

import (
	"errors"
	"fmt"
)

// Error is an invalid value of the settings field Name (dotted for a field
// of a nested struct; several fields are joined by "/").
type Error struct {
	Name string
	Msg  string
}

func (e *Error) Error() string { return e.Name + ": " + e.Msg }

// Errorf returns an *Error for field name with a formatted message.
func Errorf(name, format string, a ...any) error {
	return &Error{Name: name, Msg: fmt.Sprintf(format, a...)}
}

// Prefix returns err with the field names of an *Error in it (at any
// depth) under prefix: "Weights" + "Style" is "Weights.Style". Other errors
// are returned as they are.
func Prefix(prefix string, err error) error {
	var fe *Error
	if !errors.As(err, &fe) {
		return err
	}
	return &Error{Name: prefix + "." + fe.Name, Msg: fe.Msg}
}
