/* command.c — helpers shared by the command files: usage errors, failures, progress lines */
#include "command.h"

#include "db.h"
#include "migrate.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

ExitCode commandUsageError(const char *command, const char *format, ...)
{
    va_list args;

    fprintf(stderr, "misswitch %s: ", command);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry 'misswitch %s --help' for more information.\n", command);
    return EXIT_USAGE;
}

ExitCode commandFail(const Error *err)
{
    errorPrint(err, stderr);
    return err->code == EXIT_OK ? EXIT_INTERNAL : err->code;
}

void commandSay(const Options *options, const char *format, ...)
{
    va_list args;

    if (options->verbosity == VERBOSITY_QUIET)
        return;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}

void commandProfilePath(const Options *options, char *out, size_t size)
{
    if (options->profilePath != NULL)
        snprintf(out, size, "%s", options->profilePath);
    else
        snprintf(out, size, "%s/profiles/reference.lua", options->rulesDir);
}

Db *commandOpenDatabase(const Options *options, Error *err)
{
    Db *db = dbOpen(options->conninfo, err);

    if (db != NULL && !migrateCheck(db, err)) {
        dbClose(db);
        return NULL;
    }
    return db;
}

double commandSecondsSince(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}
