/* luahost.c — the rules host: a sandboxed Lua 5.4 state (lua_sandbox.c) that turns rule and
 * profile files into SQL statements */
#include "luahost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_sandbox.h"

LuaHost *luaHostNew(const char *rulesDir, const LuaHostLimits *limits, Error *err)
{
    LuaHost *host = calloc(1, sizeof *host);
    struct stat info;

    if (rulesDir == NULL) {
        errorSet(err, EXIT_INTERNAL, "cannot create the rules host: no rules directory given");
        goto cleanup;
    }
    if (host == NULL || (host->rulesDir = strdup(rulesDir)) == NULL) {
        errorSet(err, EXIT_INTERNAL, "cannot create the rules host: out of memory");
        goto cleanup;
    }
    if (stat(rulesDir, &info) != 0 || !S_ISDIR(info.st_mode)) {
        errorSet(err, EXIT_RULE, "rules directory %s is not a directory", rulesDir);
        goto cleanup;
    }
    host->instructionLimit = limits != NULL && limits->instructionLimit > 0
                                 ? limits->instructionLimit : LUAHOST_DEFAULT_INSTRUCTIONS;
    host->memoryLimit = limits != NULL && limits->memoryLimit > 0 ? limits->memoryLimit
                                                                  : LUAHOST_DEFAULT_MEMORY;
    host->L = lua_newstate(hostAllocate, host);
    if (host->L == NULL) {
        errorSet(err, EXIT_RULE, "cannot create the rules host: memory limit too small");
        goto cleanup;
    }
    lua_pushcfunction(host->L, openSandbox);
    if (lua_pcall(host->L, 0, 0, 0) != LUA_OK) {
        const char *message = lua_tostring(host->L, -1);
        errorSet(err, EXIT_RULE, "cannot create the rules host: %s",
                 message != NULL ? message : "unknown error");
        goto cleanup;
    }
    lua_sethook(host->L, countHook, LUA_MASKCOUNT, HOOK_INTERVAL);
    return host;

cleanup:
    luaHostFree(host);
    return NULL;
}

void luaHostFree(LuaHost *host)
{
    if (host == NULL)
        return;
    if (host->L != NULL)
        lua_close(host->L);
    free(host->rulesDir);
    free(host);
}

/* What luaHostCompile hands to the protected call; list is owned here until it succeeds. */
typedef struct CompileCall {
    const char *inputFile;
    const char *module;
    const char *function;
    const char *argument;
    SqlStatementList list;
} CompileCall;

/* Copies a string field of the element on top of the stack; raises if it is missing or odd. */
static char *copyField(lua_State *L, const char *label, lua_Integer index, const char *field)
{
    size_t length;
    const char *value;
    char *copy;

    if (lua_getfield(L, -1, field) != LUA_TSTRING)
        luaL_error(L, "%s returned element %I without a string '%s'", label, index, field);
    value = lua_tolstring(L, -1, &length);
    if (strlen(value) != length)
        luaL_error(L, "%s returned element %I whose '%s' contains a NUL byte", label, index, field);
    if (length == 0 && strcmp(field, "name") == 0)
        luaL_error(L, "%s returned element %I with an empty 'name'", label, index);
    if ((copy = strdup(value)) == NULL)
        luaL_error(L, "out of memory");
    lua_pop(L, 1);
    return copy;
}

/* Copies the array of {name=..., sql=...} at index result into call->list. */
static void collectStatements(lua_State *L, CompileCall *call, int result, const char *label)
{
    lua_Integer count;

    if (!lua_istable(L, result))
        luaL_error(L, "%s must return an array of {name=..., sql=...} tables, not a %s", label,
                   luaL_typename(L, result));
    count = luaL_len(L, result);
    if (count < 0 || count > 1000000)
        luaL_error(L, "%s returned an array of implausible length %I", label, count);
    if (count > 0 && (call->list.items = calloc((size_t)count, sizeof *call->list.items)) == NULL)
        luaL_error(L, "out of memory");
    for (lua_Integer i = 1; i <= count; i++) {
        SqlStatement *statement = &call->list.items[call->list.count];
        if (lua_geti(L, result, i) != LUA_TTABLE)
            luaL_error(L, "%s returned element %I that is not a table (a %s)", label, i,
                       luaL_typename(L, -1));
        statement->name = copyField(L, label, i, "name");
        call->list.count++; /* from here the list owns the copies */
        statement->sql = copyField(L, label, i, "sql");
        for (size_t earlier = 0; earlier + 1 < call->list.count; earlier++) {
            if (strcmp(call->list.items[earlier].name, statement->name) == 0)
                luaL_error(L, "%s returned two statements named '%s' (elements %d and %I)", label,
                           statement->name, (int)earlier + 1, i);
        }
        lua_pop(L, 1);
    }
}

/* input = dofile(inputFile); return require(module)[function](input, argument) as statements. */
static int compileProtected(lua_State *L)
{
    CompileCall *call = lua_touserdata(L, 1);
    LuaHost *host = hostFrom(L);
    lua_Debug ar;

    lua_settop(L, 0);
    noteWhere(host, call->inputFile, 0);
    loadSourceFile(L, call->inputFile);
    lua_call(L, 0, 1); /* 1: the profile or ruleset */
    if (!lua_istable(L, 1))
        luaL_error(L, "%s: must return a table, not a %s", call->inputFile, luaL_typename(L, 1));
    lua_pushcfunction(L, sandboxRequire);
    lua_pushstring(L, call->module);
    lua_call(L, 1, 1); /* 2: the module */
    if (!lua_istable(L, 2))
        luaL_error(L, "module '%s' must return a table of functions, not a %s", call->module,
                   luaL_typename(L, 2));
    if (lua_getfield(L, 2, call->function) != LUA_TFUNCTION) /* 3 */
        luaL_error(L, "module '%s' has no function '%s'", call->module, call->function);
    lua_pushvalue(L, 3);
    lua_getinfo(L, ">S", &ar);
    if (ar.linedefined > 0) /* 4: how messages about its result name the function */
        lua_pushfstring(L, "%s:%d: %s.%s", ar.short_src, ar.linedefined, call->module,
                        call->function);
    else
        lua_pushfstring(L, "%s.%s", call->module, call->function);
    noteWhere(host, ar.short_src, ar.linedefined);
    lua_pushvalue(L, 3);
    lua_pushvalue(L, 1);
    if (call->argument != NULL)
        lua_pushstring(L, call->argument);
    else
        lua_pushnil(L);
    lua_call(L, 2, 1); /* 5: the statements */
    collectStatements(L, call, 5, lua_tostring(L, 4));
    return 0;
}

static void reportFailure(LuaHost *host, int status, Error *err)
{
    const char *message = lua_tostring(host->L, -1);
    const char *traceback;

    if (host->instructionAbort) {
        errorSet(err, EXIT_RULE, "%s", host->abortMessage);
    } else if (host->memoryAbort) {
        char limit[64];
        if (host->memoryLimit % MIB == 0)
            snprintf(limit, sizeof limit, "%zu MiB", host->memoryLimit / MIB);
        else
            snprintf(limit, sizeof limit, "%zu bytes", host->memoryLimit);
        errorSet(err, EXIT_RULE, "rule exceeded its memory limit (%s)%s%s", limit,
                 host->lastWhere[0] ? " near " : "", host->lastWhere);
    } else if (status == LUA_ERRMEM || message == NULL) {
        errorSet(err, EXIT_RULE, "rules host failed: %s", message ? message : "no message");
    } else {
        traceback = strstr(message, "\nstack traceback:");
        errorSet(err, EXIT_RULE, "%.*s",
                 (int)(traceback ? (size_t)(traceback - message) : strlen(message)), message);
        if (traceback != NULL) {
            /* Drop the host's own frame, the last line; keep the traceback if rule frames remain. */
            const char *end = strrchr(traceback, '\n');
            if (end > traceback && strcmp(end, "\n\t[C]: in ?") == 0)
                end = traceback + strlen(traceback) - strlen(end);
            else
                end = traceback + strlen(traceback);
            if (strchr(traceback + 1, '\n') != NULL && strchr(traceback + 1, '\n') < end)
                errorDetail(err, "%.*s", (int)(end - traceback - 1), traceback + 1);
        }
    }
}

bool luaHostCompile(LuaHost *host, const char *inputFile, const char *module, const char *function,
                    const char *argument, SqlStatementList *out, Error *err)
{
    CompileCall call = {inputFile, module, function, argument, {NULL, 0}};
    lua_State *L = host->L;
    int status;

    out->items = NULL;
    out->count = 0;
    host->instructionsUsed = 0;
    host->memoryRefusals = 0;
    host->instructionAbort = false;
    host->memoryAbort = false;
    host->lastWhere[0] = '\0';

    lua_settop(L, 0);
    lua_pushcfunction(L, messageHandler);
    lua_pushcfunction(L, compileProtected);
    lua_pushlightuserdata(L, &call);
    status = lua_pcall(L, 1, 0, 1);
    noteStatus(host, status);
    if (status == LUA_OK) {
        *out = call.list;
        call.list.items = NULL;
        call.list.count = 0;
    } else {
        reportFailure(host, status, err);
        sqlStatementListFree(&call.list);
    }
    lua_settop(L, 0);
    if (status != LUA_OK) /* give back what a runaway rule left behind */
        lua_gc(L, LUA_GCCOLLECT);
    return status == LUA_OK;
}

void sqlStatementListFree(SqlStatementList *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].sql);
    }
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

const SqlStatement *sqlStatementListFind(const SqlStatementList *list, const char *name)
{
    for (size_t i = 0; list != NULL && i < list->count; i++) {
        if (strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    }
    return NULL;
}
