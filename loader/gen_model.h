/* gen_model.h — a generated trust as compact arrays: schools, families, people, groups, IDs */
#ifndef MISSWITCH_GEN_MODEL_H
#define MISSWITCH_GEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gen.h"

/*
 * The model holds only structure: who is in which school, family and group, which IDs and
 * accounts they have, who leaves, joins or has duplicate accounts. Names, dates and noise are
 * recomputed from each person's seed by gen_person.c, so a million pupils cost tens of
 * megabytes and every writer sees the same values. Building is linear in the number of people.
 */

#define GEN_YEARS 14      /* Reception (0) to Year 13 */
#define GEN_NONE UINT32_MAX

/* Where a record exists. MATCH: platform account(s) and both extracts; LEAVER: platform and old
 * extract only; JOINER: new extract only, no account. */
typedef enum GenStatus { GEN_STATUS_MATCH = 0, GEN_STATUS_LEAVER, GEN_STATUS_JOINER } GenStatus;

typedef enum GenGroupKind { GEN_GROUP_REGISTRATION = 0, GEN_GROUP_YEAR } GenGroupKind;

/* Kinds of MIS record, for ID formatting. */
typedef enum GenIdKind { GEN_ID_PUPIL = 0, GEN_ID_STAFF, GEN_ID_CONTACT, GEN_ID_GROUP } GenIdKind;

typedef struct GenSchool {
    char name[96];
    char lea[4];            /* as the platform and the old MIS know it (and as UPNs carry it) */
    char newLea[4];         /* as the new MIS exports it: differs for a school that changed
                             * authority (one school of a trust, see gen_model.c) */
    char dfe[8];
    char urn[8];
    const char *slug;       /* email domain part */
    uint32_t place;         /* gen_places index: LEA, town, postcode area */
    uint32_t schoolId;      /* platform school_id */
    uint16_t dfeNumber;
    uint8_t firstYear, lastYear;
    uint32_t quota;         /* pupils on the platform */
    uint32_t orderBegin, orderEnd; /* its pupils' range in GenModel.schoolOrder */
    uint32_t staffBegin, staffEnd; /* its staff's range in GenModel.staff */
    uint32_t groupBegin, groupEnd; /* registration groups, then year groups */
    uint32_t formStart[GEN_YEARS]; /* first registration group of each year (GenModel.groups) */
    uint32_t formCount[GEN_YEARS];
} GenSchool;

typedef struct GenFamily {
    uint64_t seed;          /* surnames and the home address */
    uint32_t firstPupil;    /* children are contiguous in GenModel.pupils */
    uint32_t firstContact;  /* contacts are contiguous in GenModel.contacts: a set per school */
    uint16_t homeSchool;    /* the school of its first child (their home's town) */
    uint8_t pupilCount;
    uint8_t contactCount;   /* records in all sets */
    uint8_t contactsPerSchool; /* people: records in one set */
} GenFamily;

typedef struct GenPupil {
    uint64_t seed;
    uint32_t family;
    uint32_t group;         /* registration group */
    uint32_t account;       /* platform user_id; 0 for a joiner */
    uint32_t oldId;         /* old MIS ID; 0 for a joiner */
    uint32_t newIndex;      /* new MIS ID number (see genModelNewId); GEN_NONE for a leaver */
    uint16_t school;
    uint16_t upnEstab;      /* UPN: LA code of the school, this establishment number, ... */
    uint16_t upnSerial;     /* ... and this serial (1..999) */
    uint8_t year;
    uint8_t status;         /* GenStatus */
    uint8_t twin;           /* 1: the twin of the pupil before it (same family, school, year,
                             * date of birth) */
} GenPupil;

/* A contact's record in one school: its MIS record and platform account there, related to the
 * family's children in that school. A family with children in two schools has two records
 * (same seed, same person) for each contact. */
typedef struct GenContact {
    uint64_t seed;
    uint32_t family;
    uint16_t school;
    uint32_t account;       /* first platform account; 0 for a joiner */
    uint32_t oldId;
    uint32_t newIndex;
    uint8_t status;
    uint8_t accountCount;   /* 1, or one account per platform child in its school (the first is
                             * the kept one) */
    uint8_t priority;       /* 1 = first contact */
} GenContact;

typedef struct GenStaff {
    uint64_t seed;
    uint32_t account;          /* the account the person uses; 0 for a joiner */
    uint32_t duplicateAccount; /* the other of a teacher + staff pair; 0 if none */
    uint32_t oldId;
    uint32_t newIndex;
    uint32_t teacherNumber;    /* 0 for staff who are not teachers */
    uint16_t school;
    uint8_t status;
    uint8_t role;              /* genPersonStaffRole index; 0 = Teacher */
    bool keptIsTeacher;        /* staff_role of the kept account: 'teacher' (else 'staff') */
    uint32_t parentContact;    /* a parent at the school: their contact record (the same
                                * person), else GEN_NONE */
    char code[8];              /* staff code, unique within the school */
} GenStaff;

typedef struct GenGroup {
    uint32_t groupId;          /* platform group_id; 0 when only in the new extract */
    uint32_t oldId;
    uint32_t newIndex;
    uint32_t memberBegin, memberEnd; /* pupils: range in GenModel.schoolOrder */
    uint32_t tutor;            /* staff index, or GEN_NONE */
    uint16_t school;
    uint16_t form;
    uint8_t year;
    uint8_t kind;              /* GenGroupKind */
    uint8_t status;            /* MATCH, or JOINER for groups only the new MIS exports */
} GenGroup;

typedef struct GenTally {
    uint32_t match, leavers, joiners, duplicates; /* people by status; extra accounts */
} GenTally;

typedef struct GenModel {
    GenConfig config;
    GenSchool *schools;
    uint32_t schoolCount;
    GenFamily *families;
    uint32_t familyCount;
    GenPupil *pupils;          /* in family order */
    uint32_t pupilCount;
    uint32_t *schoolOrder;     /* pupil indexes by school, year, registration group */
    GenContact *contacts;
    uint32_t contactCount;
    GenStaff *staff;           /* contiguous per school */
    uint32_t staffCount;
    GenGroup *groups;          /* contiguous per school */
    uint32_t groupCount;
    uint32_t nextOldId;        /* the next free old MIS ID (people first, then groups) */
    uint32_t accountCount;     /* platform users: user_id 1..accountCount */
    uint32_t platformGroupCount;
    uint32_t newCount[4];      /* records per GenIdKind in the new extract */
    GenTally pupilTally, staffTally, contactTally, groupTally;
    uint32_t twinPupils;       /* pupils who are a twin (both of a pair count) */
    uint32_t staffParents;     /* staff who are also a contact of a pupil in their school */
    uint32_t codeChanges;      /* schools whose LEA code differs in the new MIS */
} GenModel;

/* Builds the whole model from config. On failure (out of memory, impossible sizes) fills err
 * and leaves nothing to free. */
bool genModelBuild(const GenConfig *config, GenModel *model, Error *err);
void genModelFree(GenModel *model);

/* Old MIS IDs are plain integers, as SIMS has them. */
void genModelOldId(uint32_t oldId, char *out, size_t size);

/* New MIS IDs: "ARB-P-004817"; the number is a keyed pseudo-random permutation of newIndex,
 * so neither the order nor the spacing of new IDs says anything about old ones. Fixed width:
 * string order = number order. */
void genModelNewId(const GenModel *model, GenIdKind kind, uint32_t newIndex, char *out,
                   size_t size);

/* The number part of genModelNewId, for sorting. */
uint64_t genModelNewNumber(const GenModel *model, GenIdKind kind, uint32_t newIndex);

/* A group's code and name: registration "5B" / "Year 5 B", year "Y5" / "Year 5" (Reception:
 * "RB" / "Reception B", "YR" / "Reception"). */
void genModelGroupNames(const GenGroup *group, char *code, size_t codeSize, char *name,
                        size_t nameSize);

/* A pupil's year as the MIS writes it: "R" for Reception, else the number. */
void genModelYearName(uint8_t year, char *out, size_t size);

/* A pupil's UPN (14 bytes with NUL); temporary: the temporary form (serial ending in a letter)
 * that the same pupil's permanent UPN maps to one-to-one. */
void genModelUpn(const GenModel *model, const GenPupil *pupil, bool temporary, char *out);

/* Builder steps that live in gen_layout.c (registration groups, UPNs, accounts, new IDs). */
bool genLayoutBuild(GenModel *model, Error *err);

#endif
