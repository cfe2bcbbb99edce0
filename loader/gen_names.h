/* gen_names.h — frequency-weighted forenames and surnames, and ASCII folding for logins */
#ifndef MISSWITCH_GEN_NAMES_H
#define MISSWITCH_GEN_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A compact list of British and international names (UTF-8, with diacritics, apostrophes and
 * hyphens), picked with weights close to their frequency among children and parents in English
 * schools. `draw` is any 64-bit random value; the same draw always gives the same name.
 */
const char *genNamesForename(bool female, uint64_t draw);

/* Fills the lookup tables; call once before threads share the pickers. */
void genNamesPrepare(void);

/* The common short form of a forename ("William" → "Bill"), or NULL when it has none. */
const char *genNamesNickname(const char *forename);

const char *genNamesSurname(uint64_t draw);

/*
 * Folds UTF-8 text to ASCII: Latin letters lose their diacritics (Zoë → Zoe, Łukasz → Lukasz,
 * ß → ss); other non-ASCII characters are dropped. With loginForm, the result is also lowercased
 * and keeps only letters and digits (O'Brien-Smith → obriensmith), for usernames and emails.
 * Always NUL-terminates out (size > 0); returns the length written.
 */
size_t genNamesFold(const char *text, bool loginForm, char *out, size_t size);

/* True when text holds any non-ASCII byte. */
bool genNamesHasNonAscii(const char *text);

#endif
