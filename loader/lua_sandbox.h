/* lua_sandbox.h — inside the rules host (luahost.c, lua_sandbox.c only): the host's state and
 * the sandbox that luaHostNew opens and luaHostCompile runs in. Never included elsewhere. */
#ifndef MISSWITCH_LUA_SANDBOX_H
#define MISSWITCH_LUA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "luahost.h"

/* The count hook runs every HOOK_INTERVAL VM instructions: often enough that the instruction limit
 * is honoured closely and the last sampled line is near where a memory-hungry rule was running. */
#define HOOK_INTERVAL 1000
#define MIB ((size_t)1024 * 1024)

struct LuaHost {
    lua_State *L;
    char *rulesDir;
    long instructionLimit;
    size_t memoryLimit;
    size_t memoryUsed;
    /* Per luaHostCompile call. */
    long instructionsUsed;
    unsigned memoryRefusals; /* allocations refused by the limit (Lua may recover by collecting) */
    bool instructionAbort;   /* sticky: the rule ran out of instructions; pcall cannot catch it */
    bool memoryAbort;        /* sticky: a refusal surfaced as an error; pcall cannot catch it */
    char lastWhere[128];     /* file:line last seen by the hook */
    char abortMessage[256];
};

/* The host that owns L (stored as the allocator's user data). */
LuaHost *hostFrom(lua_State *L);

/* The allocator that enforces memoryLimit. */
void *hostAllocate(void *userData, void *block, size_t oldSize, size_t newSize);

/* Remembers file:line as where the rule last was (for the memory-limit message). */
void noteWhere(LuaHost *host, const char *file, int line);

/* The count hook that enforces instructionLimit. */
void countHook(lua_State *L, lua_Debug *ar);

/* Makes a limit abort sticky when a protected call returns status. */
void noteStatus(LuaHost *host, int status);

/* lua_pcall's message handler: "file:line: message" plus a traceback. */
int messageHandler(lua_State *L);

/* Loads a text chunk from path (named "@path"), raising a Lua error when it cannot. */
void loadSourceFile(lua_State *L, const char *path);

/* require(name): modules from the rules directory only, each once. */
int sandboxRequire(lua_State *L);

/* Opens the sandbox in L: the allowed libraries, the replaced functions, locked globals. */
int openSandbox(lua_State *L);

#endif
