package profile

import (
	"errors"
	"fmt"
)

// Code is the machine-readable kind of an error; the GraphQL layer puts it in
// extensions.code.
type Code string

// The error codes of SPEC §7.
const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	ConsentRequired Code = "CONSENT_REQUIRED"
	NotFound        Code = "NOT_FOUND"
	AlreadyLinked   Code = "ALREADY_LINKED"
	Conflict        Code = "CONFLICT"
	BadUserInput    Code = "BAD_USER_INPUT"
	InvalidHandoff  Code = "INVALID_HANDOFF"
	Internal        Code = "INTERNAL"
	// BadRequest is a request the HTTP transport refuses (SPEC §7): an undecodable body,
	// a JSON array of operations, an unsupported content type, a mutation over GET.
	BadRequest Code = "BAD_REQUEST"
	// Canceled marks the errors of a request whose client went away before it was
	// answered: neither the client's mistake nor an internal error (added to §7's list).
	Canceled Code = "REQUEST_CANCELED"
)

// Error is a domain error: a code and a message that is safe to show to the caller.
// Extensions are added to the GraphQL error's extensions (e.g. category and sourceApp
// of CONSENT_REQUIRED).
type Error struct {
	Code       Code
	Message    string
	Extensions map[string]any
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrTransient marks a store error that says nothing about the request itself: the
// transaction lost a deadlock or a serialization race against a concurrent one. Stores
// wrap it together with a CONFLICT *Error, so a caller may retry the whole transaction,
// and a client that still sees it is told to try again (not INTERNAL).
var ErrTransient = errors.New("transaction collided with a concurrent one")

// ErrorCode returns the code of the first *Error in err's chain, or INTERNAL for any
// other non-nil error, or "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the message of the first *Error in err's chain; for any other
// error it returns a generic text so that internal detail never leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ConsentRequiredError is the error of an owner's field hidden for want of consent.
func ConsentRequiredError(category Category, source App) *Error {
	return &Error{
		Code:       ConsentRequired,
		Message:    fmt.Sprintf("consent required to show %s data from %s here", category, source),
		Extensions: map[string]any{"category": string(category), "sourceApp": string(source)},
	}
}

// ForbiddenError is the error of an owner-only or non-PROFILE field asked by someone else.
func ForbiddenError(what string) *Error {
	return Errorf(Forbidden, "%s is visible to its owner only", what)
}

// ReasonMinor is extensions.reason of a FORBIDDEN that protects a minor (SPEC §5 rule 6,
// §6 "Minors and ADS consents"): no consent can change it, so a UI must not ask for one.
const ReasonMinor = "MINOR"

// MinorError is a FORBIDDEN with extensions reason MINOR and a formatted message.
func MinorError(format string, args ...any) *Error {
	e := Errorf(Forbidden, format, args...)
	e.Extensions = map[string]any{"reason": ReasonMinor}
	return e
}
