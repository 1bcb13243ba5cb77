// Package multilib decides which packages of a compatible ("multilib") arch
// are shipped beside the native ones, as Pungi does with python-multilib
// 1.1 and its default multilib.conf: the methods none, all, runtime, devel
// and the legacy kernel and yaboot, a name-glob blacklist and whitelist,
// and the tree-arch tables that say which arches are native and which are
// multilib (Pungi's pungi/arch.py over yum's rpmUtils arch table).
//
// Every decision carries the rule that made it, so a gather can explain why
// a multilib package was added.
package multilib
