package certs

import "errors"

// Errors returned by Open and the Manager's methods. Test with errors.Is.
var (
	// ErrNoDir means neither Config.Dir nor a user-supplied key pair was set.
	ErrNoDir = errors.New("certs: no directory configured")
	// ErrIncompleteKeyPair means only one of Config.CertFile and
	// Config.KeyFile was set.
	ErrIncompleteKeyPair = errors.New("certs: certificate and key file must be set together")
	// ErrInvalidCA means ca.pem exists but it, or ca-key.pem, cannot be used.
	// Open never overwrites a CA the user may already trust: delete both
	// files to start over with a new CA.
	ErrInvalidCA = errors.New("certs: stored CA is unusable")
	// ErrBadValidity means Config.RenewBefore is not shorter than
	// Config.ServerValidity.
	ErrBadValidity = errors.New("certs: renewal window must be shorter than the validity")
)

// Internal errors, always wrapped in one of the above or reported in the log.
var (
	errNoPEMBlock  = errors.New("no matching PEM block")
	errNotECDSA    = errors.New("key is not ECDSA")
	errKeyMismatch = errors.New("key does not match certificate")
	errNotCA       = errors.New("certificate is not a CA")
)
