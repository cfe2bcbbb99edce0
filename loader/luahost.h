/* luahost.h — the rules host: embedded Lua 5.4, sandboxed, that turns rule and profile files
 * into SQL statements. The only module that includes Lua; it must never let a rule reach files
 * (beyond require inside the rules directory), processes or the network. */
#ifndef MISSWITCH_LUAHOST_H
#define MISSWITCH_LUAHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct LuaHost LuaHost;

/* Limits that keep a rule from taking the machine with it. */
typedef struct LuaHostLimits {
    long instructionLimit; /* VM instructions per call before it is stopped; 0: default */
    size_t memoryLimit;    /* bytes the Lua state may allocate; 0: default */
} LuaHostLimits;

#define LUAHOST_DEFAULT_INSTRUCTIONS 200000000L
#define LUAHOST_DEFAULT_MEMORY ((size_t)256 * 1024 * 1024)

/* A named SQL statement produced by Lua: a match pass, a profile's read query, a plan step. */
typedef struct SqlStatement {
    char *name;
    char *sql;
} SqlStatement;

typedef struct SqlStatementList {
    SqlStatement *items;
    size_t count;
} SqlStatementList;

/*
 * Creates a sandboxed state: only base (without dofile, loadfile, load), string (without dump),
 * table, math and utf8; no io, os, package, debug or coroutine. `require(name)` loads only
 * rulesDir/<name with dots as slashes>.lua (name: letters, digits and _ separated by single dots),
 * text chunks only, each module once for the host's lifetime. Globals are locked: assigning an
 * undeclared global is an error, and so is reading one - rules are configuration, where a typo
 * should fail rather than read as nil (rawget(_G, name) probes). print writes to stderr, never
 * stdout. rulesDir must be an existing directory (EXIT_RULE otherwise). limits may be NULL
 * (defaults); the instruction limit is counted in steps of 1000 per luaHostCompile call, and
 * neither limit can be caught by pcall or xpcall inside the rules.
 */
LuaHost *luaHostNew(const char *rulesDir, const LuaHostLimits *limits, Error *err);
void luaHostFree(LuaHost *host);

/*
 * Runs inputFile (a profile or a ruleset from any path: a text chunk that returns a table), then
 * calls require(module)[function](thatTable, argument) and expects an array of {name=..., sql=...}
 * tables (strings without NUL bytes; names non-empty and unique), which it copies into out (caller
 * frees with sqlStatementListFree; empty on failure). argument may be NULL (passed as nil). Any
 * error - syntax, runtime, a wrong return shape, the instruction or memory limit - fills err with
 * EXIT_RULE and a message naming file:line (a wrong shape names the function's definition; the
 * memory limit names the last line the host saw running, "near file:line"); err->detail holds the
 * Lua traceback when it shows rule frames. The host stays usable after a failure.
 */
bool luaHostCompile(LuaHost *host, const char *inputFile, const char *module, const char *function,
                    const char *argument, SqlStatementList *out, Error *err);

void sqlStatementListFree(SqlStatementList *list);

/* Finds a statement by name; NULL if absent. */
const SqlStatement *sqlStatementListFind(const SqlStatementList *list, const char *name);

#endif
