#include <stddef.h>
int foo_answer(void);
size_t foo_greet(char *buf, size_t n);
