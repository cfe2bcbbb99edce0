/* paths.h — where misswitch finds its rules and profiles */
#ifndef MISSWITCH_PATHS_H
#define MISSWITCH_PATHS_H

#include <stddef.h>

/* Fills out with lua/rules next to the binary (a build tree) or <prefix>/share/misswitch/lua/rules
 * (an installed binary). Falls back to "lua/rules" relative to the working directory. */
void pathsRulesDir(const char *argv0, char *out, size_t size);

#endif
