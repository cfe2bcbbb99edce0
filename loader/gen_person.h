/* gen_person.h — a generated person's attributes, as the platform, old or new MIS shows them */
#ifndef MISSWITCH_GEN_PERSON_H
#define MISSWITCH_GEN_PERSON_H

#include <stdbool.h>
#include <stdint.h>

#include "gen_model.h"

/*
 * Attributes are pure functions of the model and the person's seed: the SQL, XML and CSV
 * writers each ask again and always get the same answer. The OLD side is what the platform
 * and the old MIS hold; the NEW side is the new MIS, with the person's noise applied (only for
 * people in both, GEN_STATUS_MATCH).
 */
typedef enum GenSide { GEN_SIDE_OLD = 0, GEN_SIDE_NEW } GenSide;

typedef struct GenAddress {
    char house[24];
    char street[48];
    char locality[48];
    char town[48];
    char postcode[12];
} GenAddress;

typedef struct GenPerson {
    char title[8];               /* adults */
    char forename[64];           /* legal */
    char surname[128];           /* legal */
    char preferredForename[64];  /* "" when none */
    char dob[11];                /* YYYY-MM-DD; "" for contacts */
    char sex;                    /* 'F' or 'M' */
    char upn[14];                /* pupils */
    char formerUpn[14];          /* pupils; "" when none */
    char email[160];             /* "" when none */
    char mobile[24];             /* contacts */
    char homePhone[24];          /* contacts; "" when none */
    char niNumber[12];           /* staff */
    GenAddress address;
    unsigned noise;              /* GenNoiseKind bits that changed something (NEW side) */
} GenPerson;

void genPersonPupil(const GenModel *model, uint32_t pupil, GenSide side, GenPerson *out);
void genPersonStaff(const GenModel *model, uint32_t staff, GenSide side, GenPerson *out);
void genPersonContact(const GenModel *model, uint32_t contact, GenSide side, GenPerson *out);

/* The noise kinds a person's record carries in truth.csv: the NEW side's, for a person in
 * both extracts; 0 otherwise. */
unsigned genPersonNoise(const GenModel *model, GenRole role, uint32_t index);

/* A contact's relationship to the family's children ("Mother", "Grandfather", ...). */
typedef struct GenRelation {
    const char *type;
    bool responsibility; /* parental responsibility */
} GenRelation;
GenRelation genPersonRelation(const GenModel *model, uint32_t contact);

/* Whether a contact lives at the family's home (shares its address and moves with it); not
 * grandparents, friends, or the second of separated parents. */
bool genPersonLivesAtHome(const GenModel *model, uint32_t contact);

/* "Teacher", "Teaching Assistant", ... (index GenStaff.role). */
const char *genPersonStaffRole(uint8_t role);

/* Three capital ASCII letters from a staff member's names, for staff codes ("JSM"). */
void genPersonStaffInitials(const GenModel *model, uint32_t staff, char *out);

#endif
