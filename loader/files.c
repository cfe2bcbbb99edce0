/* files.c — output files that appear whole or not at all, readable only by their owner */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool outputFileOpen(OutputFile *file, const char *path, Error *err)
{
    int fd;

    memset(file, 0, sizeof *file);
    snprintf(file->path, sizeof file->path, "%s", path);
    snprintf(file->temporary, sizeof file->temporary, "%s.tmp", path);
    /* A .tmp left behind keeps its own mode, and a symlink there would be followed: remove it
     * and create afresh, exclusively. */
    if (unlink(file->temporary) != 0 && errno != ENOENT)
        return errorSet(err, EXIT_INPUT, "cannot remove %s: %s", file->temporary, strerror(errno));
    fd = open(file->temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errorSet(err, EXIT_INPUT, "cannot create %s: %s", file->temporary, strerror(errno));
    file->stream = fdopen(fd, "w");
    if (file->stream == NULL) {
        close(fd);
        unlink(file->temporary);
        return errorSet(err, EXIT_INTERNAL, "cannot open %s: %s", file->temporary, strerror(errno));
    }
    return true;
}

bool outputFileCommit(OutputFile *file, Error *err)
{
    bool failed = ferror(file->stream) != 0;

    failed |= fflush(file->stream) != 0;
    failed |= fsync(fileno(file->stream)) != 0;
    failed |= fclose(file->stream) != 0;
    file->stream = NULL;
    if (failed) {
        errorSet(err, EXIT_INPUT, "cannot write %s: %s", file->temporary, strerror(errno));
        unlink(file->temporary);
        return false;
    }
    if (rename(file->temporary, file->path) != 0) {
        errorSet(err, EXIT_INPUT, "cannot rename %s to %s: %s", file->temporary, file->path,
                 strerror(errno));
        unlink(file->temporary);
        return false;
    }
    return true;
}

void outputFileAbandon(OutputFile *file)
{
    if (file->stream == NULL)
        return;
    fclose(file->stream);
    file->stream = NULL;
    unlink(file->temporary);
}

bool filesMakeDirectory(const char *dir, Error *err)
{
    struct stat st;

    if (mkdir(dir, 0700) == 0)
        return true;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return true;
    return errorSet(err, EXIT_INPUT, "cannot create directory %s: %s", dir,
                    errno == EEXIST ? "a file of that name exists" : strerror(errno));
}

char *filesReadAll(const char *path, size_t *length, Error *err)
{
    struct stat st;
    FILE *stream = fopen(path, "rb");
    char *text = NULL;

    if (stream == NULL) {
        errorSet(err, EXIT_INPUT, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(stream), &st) != 0 || !S_ISREG(st.st_mode)) {
        errorSet(err, EXIT_INPUT, "%s is not a regular file", path);
        goto cleanup;
    }
    text = malloc((size_t)st.st_size + 1);
    if (text == NULL) {
        errorSet(err, EXIT_INTERNAL, "out of memory reading %s", path);
        goto cleanup;
    }
    if (fread(text, 1, (size_t)st.st_size, stream) != (size_t)st.st_size) {
        errorSet(err, EXIT_INPUT, "cannot read %s", path);
        free(text);
        text = NULL;
        goto cleanup;
    }
    text[st.st_size] = '\0';
    if (length)
        *length = (size_t)st.st_size;
cleanup:
    fclose(stream);
    return text;
}
