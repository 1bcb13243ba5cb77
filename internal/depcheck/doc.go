// Package depcheck holds the test that keeps pungo's layers one-way, as
// go-containerregistry's depcheck does for its own: cmd → phases →
// depsolve/comps/multilib → repomd → internal. A package may import its
// own layer and the layers below it, never one above. It has no code of
// its own: the rules live in the test.
package depcheck
