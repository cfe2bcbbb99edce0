/* command.h — the global options every command receives, and the command handlers */
#ifndef MISSWITCH_COMMAND_H
#define MISSWITCH_COMMAND_H

#include <stdbool.h>

#include "error.h"

typedef enum Verbosity { VERBOSITY_QUIET = -1, VERBOSITY_NORMAL = 0, VERBOSITY_VERBOSE = 1 } Verbosity;

/* Options given before the command name: misswitch [-d CONNINFO] [--profile FILE] [-q|-v] [--json] */
typedef struct Options {
    const char *conninfo;    /* NULL: libpq's defaults (PGHOST, PGDATABASE, ...) */
    bool conninfoGiven;      /* -d was given explicitly (gen loads the platform only then) */
    const char *profilePath; /* NULL: <rules>/profiles/reference.lua */
    Verbosity verbosity;
    bool json;               /* machine-readable output on stdout */
    char rulesDir[4096];     /* lua/rules next to the binary, or the install's share dir */
} Options;

/* A command's handler: argv[0] is the command name; returns the process exit code. */
typedef ExitCode (*CommandHandler)(const Options *options, int argc, char **argv);

ExitCode commandInit(const Options *options, int argc, char **argv);
ExitCode commandGen(const Options *options, int argc, char **argv);
ExitCode commandLoad(const Options *options, int argc, char **argv);
ExitCode commandMatch(const Options *options, int argc, char **argv);
ExitCode commandExplain(const Options *options, int argc, char **argv);
ExitCode commandEval(const Options *options, int argc, char **argv);
ExitCode commandPlan(const Options *options, int argc, char **argv);
ExitCode commandApply(const Options *options, int argc, char **argv);
ExitCode commandVerify(const Options *options, int argc, char **argv);
ExitCode commandRevert(const Options *options, int argc, char **argv);
ExitCode commandFreeze(const Options *options, int argc, char **argv);
ExitCode commandThaw(const Options *options, int argc, char **argv);
ExitCode commandKeygen(const Options *options, int argc, char **argv);
ExitCode commandSnapshot(const Options *options, int argc, char **argv);
ExitCode commandRestore(const Options *options, int argc, char **argv);

/*
 * Helpers shared by the command files.
 */

/* Prints "misswitch COMMAND: message" and a "Try ... --help" line to stderr; returns EXIT_USAGE. */
ExitCode commandUsageError(const char *command, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints err to stderr and returns its exit code. */
ExitCode commandFail(const Error *err);

/* Progress and summaries for people: stderr, silenced by -q. */
void commandSay(const Options *options, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Connects to the working database (-d) and makes the version handshake (migrateCheck). */
struct Db *commandOpenDatabase(const Options *options, Error *err);

/* Seconds elapsed since start (CLOCK_MONOTONIC), for progress lines and --json figures. */
struct timespec;
double commandSecondsSince(const struct timespec *start);

/* The profile to use: --profile, or the reference platform's profile in the rules directory. */
void commandProfilePath(const Options *options, char *out, size_t size);

#endif
