/* paths.c — where misswitch finds its rules and profiles */
#include "paths.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int isDirectory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void pathsRulesDir(const char *argv0, char *out, size_t size)
{
    char exe[PATH_MAX];
    char candidate[PATH_MAX + 64];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (length < 0) {
        snprintf(exe, sizeof exe, "%s", argv0);
        length = (ssize_t)strlen(exe);
    }
    exe[length] = '\0';
    const char *dir = dirname(exe);

    snprintf(candidate, sizeof candidate, "%s/lua/rules", dir);
    if (isDirectory(candidate)) {
        snprintf(out, size, "%s", candidate);
        return;
    }
    snprintf(candidate, sizeof candidate, "%s/../share/misswitch/lua/rules", dir);
    if (isDirectory(candidate)) {
        snprintf(out, size, "%s", candidate);
        return;
    }
    snprintf(out, size, "lua/rules");
}
