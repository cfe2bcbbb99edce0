/* luahost.c — the rules host: a sandboxed Lua 5.4 state that turns rule files into SQL */
#include "luahost.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

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

/* Registry keys: their addresses are unique. */
static const char MODULE_CACHE_KEY = 'm';
static const char MODULE_LOADING = 'l';

static LuaHost *hostFrom(lua_State *L)
{
    void *host = NULL;
    lua_getallocf(L, &host);
    return host;
}

/* The allocator is the memory cap: it refuses to grow past the limit, which Lua turns into a
 * "not enough memory" error after an emergency collection. */
static void *hostAllocate(void *userData, void *block, size_t oldSize, size_t newSize)
{
    LuaHost *host = userData;
    size_t old = block != NULL ? oldSize : 0; /* for a new block, oldSize is a type tag */
    void *grown;

    if (newSize == 0) {
        free(block);
        host->memoryUsed -= old;
        return NULL;
    }
    if (newSize > old && newSize - old > host->memoryLimit - host->memoryUsed) {
        host->memoryRefusals++;
        return NULL;
    }
    grown = realloc(block, newSize);
    if (grown != NULL)
        host->memoryUsed = host->memoryUsed - old + newSize;
    return grown;
}

/* Where the rule is, until the hook samples a line: a memory error can strike before it does. */
static void noteWhere(LuaHost *host, const char *file, int line)
{
    if (line > 0)
        snprintf(host->lastWhere, sizeof host->lastWhere, "%s:%d", file, line);
    else
        snprintf(host->lastWhere, sizeof host->lastWhere, "%s", file);
}

/* The instruction limit, and a sample of where the rule is for memory-limit messages. */
static void countHook(lua_State *L, lua_Debug *ar)
{
    LuaHost *host = hostFrom(L);

    host->instructionsUsed += HOOK_INTERVAL;
    if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
        noteWhere(host, ar->short_src, ar->currentline);
    if (host->instructionsUsed <= host->instructionLimit)
        return;
    if (!host->instructionAbort) {
        host->instructionAbort = true;
        snprintf(host->abortMessage, sizeof host->abortMessage,
                 "%s%srule exceeded its instruction limit (%ld)", host->lastWhere,
                 host->lastWhere[0] ? ": " : "", host->instructionLimit);
    }
    lua_pushstring(L, host->abortMessage);
    lua_error(L); /* raised again at every interval, so no handler or __close can carry on */
}

/* Records a memory error seen at a protected call, so it cannot be caught and ignored. */
static void noteStatus(LuaHost *host, int status)
{
    if (status == LUA_ERRMEM && host->memoryRefusals > 0)
        host->memoryAbort = true;
}

/* Re-raises a limit error that a protected call inside the rules caught. */
static void reraiseIfAborting(lua_State *L, LuaHost *host)
{
    if (host->instructionAbort) {
        lua_pushstring(L, host->abortMessage);
        lua_error(L);
    }
    if (host->memoryAbort) {
        lua_pushliteral(L, "not enough memory");
        lua_error(L);
    }
}

/* True if message starts "something:123: ", the shape Lua gives errors raised at a line. */
static bool hasLocation(const char *message)
{
    for (const char *p = message; *p != '\0' && *p != '\n'; p++) {
        const char *q = p + 1;
        if (*p != ':' || !isdigit((unsigned char)*q))
            continue;
        while (isdigit((unsigned char)*q))
            q++;
        if (q[0] == ':' && q[1] == ' ')
            return true;
    }
    return false;
}

/* Message handler for every call into Lua: "file:line: message" plus a traceback. */
static int messageHandler(lua_State *L)
{
    const char *message = lua_tostring(L, 1);
    lua_Debug ar;

    if (message == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            message = lua_tostring(L, -1);
        else
            message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (strstr(message, "\nstack traceback:") != NULL) { /* already handled by an inner call */
        lua_pushstring(L, message);
        return 1;
    }
    for (int level = 1; !hasLocation(message) && lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
            message = lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, message);
    }
    luaL_traceback(L, L, message, 1);
    return 1;
}

/* Reads a whole regular file into a malloc'd buffer; on failure returns NULL and says why. */
static char *readSourceFile(const char *path, size_t limit, size_t *length, char *why, size_t size)
{
    FILE *file = fopen(path, "rb");
    struct stat info;
    char *text = NULL;

    if (file == NULL) {
        snprintf(why, size, "%s", strerror(errno));
        return NULL;
    }
    if (fstat(fileno(file), &info) != 0 || !S_ISREG(info.st_mode))
        snprintf(why, size, "not a regular file");
    else if ((uintmax_t)info.st_size > limit)
        snprintf(why, size, "larger than the memory limit");
    else if ((text = malloc((size_t)info.st_size + 1)) == NULL)
        snprintf(why, size, "out of memory");
    else if (fread(text, 1, (size_t)info.st_size, file) != (size_t)info.st_size || ferror(file)) {
        snprintf(why, size, "read error");
        free(text);
        text = NULL;
    } else {
        *length = (size_t)info.st_size;
        text[*length] = '\0';
    }
    fclose(file);
    return text;
}

/* Pushes the chunk in path, named "@path" so errors read path:line; raises on any failure. */
static void loadSourceFile(lua_State *L, const char *path)
{
    LuaHost *host = hostFrom(L);
    char why[128];
    size_t length = 0;
    char *text = readSourceFile(path, host->memoryLimit, &length, why, sizeof why);
    int status;

    if (text == NULL)
        luaL_error(L, "cannot read %s: %s", path, why);
    if (length > 0 && text[0] == LUA_SIGNATURE[0]) {
        free(text);
        luaL_error(L, "%s: precompiled (binary) chunks are refused; rules must be Lua source",
                   path);
    }
    lua_pushfstring(L, "@%s", path);
    status = luaL_loadbufferx(L, text, length, lua_tostring(L, -1), "t");
    free(text);
    lua_remove(L, -2); /* the chunk name */
    noteStatus(host, status);
    if (status != LUA_OK)
        lua_error(L);
}

/* require(name): rulesDir/<name with dots as slashes>.lua, text only, each module once. */
static int sandboxRequire(lua_State *L)
{
    LuaHost *host = hostFrom(L);
    const char *name = luaL_checkstring(L, 1);
    bool valid = name[0] != '\0';
    int status;

    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &MODULE_CACHE_KEY); /* 2: cache */
    if (lua_getfield(L, 2, name) != LUA_TNIL) {
        if (lua_touserdata(L, -1) == &MODULE_LOADING)
            return luaL_error(L, "module '%s' requires itself (circular require)", name);
        return 1;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '.')
            valid = valid && p != name && p[1] != '\0' && p[1] != '.';
        else if (!isalnum((unsigned char)*p) && *p != '_')
            valid = false;
    }
    if (!valid)
        return luaL_error(L, "invalid module name '%s': use names like 'lib.match' (letters, "
                             "digits and _ separated by dots)", name);
    luaL_gsub(L, name, ".", "/"); /* 4 */
    lua_pushfstring(L, "%s/%s.lua", host->rulesDir, lua_tostring(L, 4)); /* 5: path */
    if (access(lua_tostring(L, 5), F_OK) != 0)
        return luaL_error(L, "module '%s' not found: no file %s", name, lua_tostring(L, 5));
    loadSourceFile(L, lua_tostring(L, 5)); /* 6: chunk */

    noteWhere(host, lua_tostring(L, 5), 0);
    lua_pushlightuserdata(L, (void *)&MODULE_LOADING);
    lua_setfield(L, 2, name);
    lua_pushcfunction(L, messageHandler); /* 7 */
    lua_pushvalue(L, 6);
    lua_pushvalue(L, 1);
    status = lua_pcall(L, 1, 1, 7);
    noteStatus(host, status);
    if (status != LUA_OK) {
        lua_pushnil(L); /* forget the half-loaded module; setting an existing key never allocates */
        lua_setfield(L, 2, name);
        reraiseIfAborting(L, host);
        return lua_error(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, name);
    return 1;
}

/* pcall and xpcall that cannot swallow the instruction or memory limit. */
static int sandboxPcall(lua_State *L)
{
    int status;

    luaL_checkany(L, 1);
    status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    noteStatus(hostFrom(L), status);
    reraiseIfAborting(L, hostFrom(L));
    lua_pushboolean(L, status == LUA_OK);
    lua_insert(L, 1);
    return lua_gettop(L);
}

static int sandboxXpcall(lua_State *L)
{
    int status;

    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1); /* f, handler, args... → handler, f, args... */
    lua_pushvalue(L, 2);
    lua_replace(L, 1);
    lua_replace(L, 2);
    status = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
    noteStatus(hostFrom(L), status);
    reraiseIfAborting(L, hostFrom(L));
    lua_pushboolean(L, status == LUA_OK);
    lua_replace(L, 1);
    return lua_gettop(L);
}

/* print goes to stderr: stdout belongs to the program's own (--json) output. */
static int sandboxPrint(lua_State *L)
{
    int count = lua_gettop(L);

    for (int i = 1; i <= count; i++) {
        size_t length;
        const char *text = luaL_tolstring(L, i, &length);
        if (i > 1)
            fputc('\t', stderr);
        fwrite(text, 1, length, stderr);
        lua_pop(L, 1);
    }
    fputc('\n', stderr);
    fflush(stderr);
    return 0;
}

static int undeclaredGlobalWrite(lua_State *L)
{
    return luaL_error(L, "assignment to undeclared global '%s'", luaL_tolstring(L, 2, NULL));
}

static int undeclaredGlobalRead(lua_State *L)
{
    return luaL_error(L, "undeclared global '%s'", luaL_tolstring(L, 2, NULL));
}

/* Builds the sandbox; run protected, since any allocation may fail under a small limit. */
static int openSandbox(lua_State *L)
{
    static const luaL_Reg LIBRARIES[] = {
        {LUA_GNAME, luaopen_base},        {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},  {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {NULL, NULL},
    };
    static const char *const WITHHELD[] = {"dofile", "loadfile", "load", NULL};
    static const luaL_Reg REPLACED[] = {
        {"require", sandboxRequire}, {"pcall", sandboxPcall}, {"xpcall", sandboxXpcall},
        {"print", sandboxPrint},     {NULL, NULL},
    };

    for (const luaL_Reg *library = LIBRARIES; library->name != NULL; library++) {
        luaL_requiref(L, library->name, library->func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    for (const char *const *name = WITHHELD; *name != NULL; name++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *name);
    }
    luaL_setfuncs(L, REPLACED, 0);
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &MODULE_CACHE_KEY);

    /* Lock the globals; __metatable stops setmetatable(_G, nil) from unlocking them. */
    lua_newtable(L);
    lua_pushcfunction(L, undeclaredGlobalWrite);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, undeclaredGlobalRead);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    return 0;
}

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
