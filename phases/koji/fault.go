package koji

import (
	"errors"
	"fmt"
)

// Fault is an XML-RPC fault returned by the hub. Koji maps its exception
// classes to fault codes; Name gives the class name for a known code.
type Fault struct {
	Code    int
	Message string
}

func (f *Fault) Error() string {
	return fmt.Sprintf("koji %s (fault %d): %s", f.Name(), f.Code, f.Message)
}

// Koji fault codes (koji.GenericError and its subclasses).
const (
	GenericError       = 1000
	LockError          = 1001
	AuthError          = 1002
	TagError           = 1003
	ActionNotAllowed   = 1004
	BuildError         = 1005
	AuthLockError      = 1006
	AuthExpired        = 1007
	SequenceError      = 1008
	RetryError         = 1009
	PreBuildError      = 1010
	PostBuildError     = 1011
	BuildrootError     = 1012
	FunctionDeprecated = 1013
	ServerOffline      = 1014
	LiveCDError        = 1015
	PluginError        = 1016
	CallbackError      = 1017
	ApplianceError     = 1018
	ParameterError     = 1019
	ImportError        = 1020
	ConfigurationError = 1021
)

var faultNames = map[int]string{
	GenericError: "GenericError", LockError: "LockError", AuthError: "AuthError",
	TagError: "TagError", ActionNotAllowed: "ActionNotAllowed", BuildError: "BuildError",
	AuthLockError: "AuthLockError", AuthExpired: "AuthExpired", SequenceError: "SequenceError",
	RetryError: "RetryError", PreBuildError: "PreBuildError", PostBuildError: "PostBuildError",
	BuildrootError: "BuildrootError", FunctionDeprecated: "FunctionDeprecated",
	ServerOffline: "ServerOffline", LiveCDError: "LiveCDError", PluginError: "PluginError",
	CallbackError: "CallbackError", ApplianceError: "ApplianceError",
	ParameterError: "ParameterError", ImportError: "ImportError",
	ConfigurationError: "ConfigurationError",
}

// Name is Koji's exception class for the code, or "Fault" when unknown.
func (f *Fault) Name() string {
	if n, ok := faultNames[f.Code]; ok {
		return n
	}
	return "Fault"
}

// IsFault reports whether err is (or wraps) a Koji fault with the code.
func IsFault(err error, code int) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == code
}
