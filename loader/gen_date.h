/* gen_date.h — proleptic Gregorian day numbers for generated dates (no libc time, no locale) */
#ifndef MISSWITCH_GEN_DATE_H
#define MISSWITCH_GEN_DATE_H

#include <stdint.h>
#include <stdio.h>

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static inline int64_t genDateDays(int year, unsigned month, unsigned day)
{
    int64_t era;
    unsigned yearOfEra, dayOfYear, dayOfEra;

    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    yearOfEra = (unsigned)(year - era * 400);
    dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + (int64_t)dayOfEra - 719468;
}

static inline void genDateCivil(int64_t days, int *year, unsigned *month, unsigned *day)
{
    int64_t era, z = days + 719468;
    unsigned dayOfEra, yearOfEra, dayOfYear, monthIndex;

    era = (z >= 0 ? z : z - 146096) / 146097;
    dayOfEra = (unsigned)(z - era * 146097);
    yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    monthIndex = (5 * dayOfYear + 2) / 153;
    *day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    *month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    *year = (int)((int64_t)yearOfEra + era * 400 + (*month <= 2));
}

/* "YYYY-MM-DD" (11 bytes with NUL). */
static inline void genDateFormat(int64_t days, char *out, size_t size)
{
    int year;
    unsigned month, day;

    genDateCivil(days, &year, &month, &day);
    snprintf(out, size, "%04u-%02u-%02u", (unsigned)year % 10000u, month % 100u, day % 100u);
}

#endif
