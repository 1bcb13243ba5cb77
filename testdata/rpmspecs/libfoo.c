/* libfoo: a tiny shared library so the corpus holds a real ELF object
 * with a soname, its -devel package and a real -debuginfo. */
#include <stdio.h>
#include <string.h>

int foo_answer(void) { return 42; }

size_t foo_greet(char *buf, size_t n)
{
	return (size_t)snprintf(buf, n, "hello from libfoo %d", foo_answer());
}
