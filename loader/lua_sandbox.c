/* lua_sandbox.c — the rules host's sandbox: the allowed libraries, require limited to
 * lua/rules, locked globals, and the instruction and memory limits */
#include "lua_sandbox.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

/* Registry keys: their addresses are unique. */
static const char MODULE_CACHE_KEY = 'm';
static const char MODULE_LOADING = 'l';

LuaHost *hostFrom(lua_State *L)
{
    void *host = NULL;
    lua_getallocf(L, &host);
    return host;
}

/* The allocator is the memory cap: it refuses to grow past the limit, which Lua turns into a
 * "not enough memory" error after an emergency collection. */
void *hostAllocate(void *userData, void *block, size_t oldSize, size_t newSize)
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
void noteWhere(LuaHost *host, const char *file, int line)
{
    if (line > 0)
        snprintf(host->lastWhere, sizeof host->lastWhere, "%s:%d", file, line);
    else
        snprintf(host->lastWhere, sizeof host->lastWhere, "%s", file);
}

/* The instruction limit, and a sample of where the rule is for memory-limit messages. */
void countHook(lua_State *L, lua_Debug *ar)
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
void noteStatus(LuaHost *host, int status)
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
int messageHandler(lua_State *L)
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
void loadSourceFile(lua_State *L, const char *path)
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
int sandboxRequire(lua_State *L)
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
int openSandbox(lua_State *L)
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
