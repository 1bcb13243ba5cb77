// Package depcheck holds the test that keeps pungo's layers one-way, as
// go-containerregistry's depcheck does for its own: cmd → phases →
// depsolve/comps/multilib → repomd → internal. A package may import its
// own layer and the layers below it, never one above. Inside phases/ the
// same holds for four levels: config and the documents and clients a
// compose is built from (variants, productmd, koji, ...), then compose,
// then the phases, then pipeline. It has no code of its own: the rules
// live in the test.
package depcheck
