//! Every user-facing string of `stepcare visit`, in Norwegian Bokmål and Nynorsk, Swedish and English.
//!
//! The [`messages!`] macro makes a missing language a compile error; the tests
//! check that no text is empty and that every language uses the same
//! `{placeholders}`. Clinical wording (item labels, band names, flag actions,
//! care levels) comes from the definition files, not from here.

use stepcare::lang::Lang;

macro_rules! messages {
    ($( $(#[$doc:meta])* $key:ident { nb: $nb:literal, nn: $nn:literal, sv: $sv:literal, en: $en:literal $(,)? } )*) => {
        /// A message key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg {
            $( $(#[$doc])* $key, )*
        }

        impl Msg {
            /// Every key, for the tests.
            #[cfg(test)]
            pub const ALL: &'static [Msg] = &[ $( Msg::$key, )* ];

            /// The texts in nb, nn, sv and en.
            fn texts(self) -> [&'static str; 4] {
                match self {
                    $( Msg::$key => [$nb, $nn, $sv, $en], )*
                }
            }
        }
    };
}

messages! {
    /// Heading when an instrument starts.
    InstrumentIntro {
        nb: "{name}: {count} spørsmål",
        nn: "{name}: {count} spørsmål",
        sv: "{name}: {count} frågor",
        en: "{name}: {count} questions",
    }
    /// How to answer, in line mode.
    LineHelp {
        nb: "Svar med nummeret foran svaralternativet. b = tilbake, tom linje = hopp over.",
        nn: "Svar med nummeret framfor svaralternativet. b = tilbake, tom linje = hopp over.",
        sv: "Svara med numret framför svarsalternativet. b = tillbaka, tom rad = hoppa över.",
        en: "Answer with the number in front of the option. b = back, empty line = skip.",
    }
    /// The input prompt in line mode.
    LinePrompt {
        nb: "Svar (1-{max}, b, tom linje)> ",
        nn: "Svar (1-{max}, b, tom linje)> ",
        sv: "Svar (1-{max}, b, tom rad)> ",
        en: "Answer (1-{max}, b, empty line)> ",
    }
    /// An answer that is not an option.
    InvalidAnswer {
        nb: "«{input}» er ikke et svar her: skriv et tall fra 1 til {max}, b for å gå tilbake, eller en tom linje for å hoppe over.",
        nn: "«{input}» er ikkje eit svar her: skriv eit tal frå 1 til {max}, b for å gå tilbake, eller ei tom linje for å hoppe over.",
        sv: "”{input}” är inget svar här: skriv ett tal från 1 till {max}, b för att gå tillbaka, eller en tom rad för att hoppa över.",
        en: "\"{input}\" is not an answer here: type a number from 1 to {max}, b to go back, or an empty line to skip.",
    }
    /// `back` at the first question.
    AtFirstQuestion {
        nb: "Dette er det første spørsmålet; det er ingenting å gå tilbake til.",
        nn: "Dette er det første spørsmålet; det er ingenting å gå tilbake til.",
        sv: "Det här är den första frågan; det finns inget att gå tillbaka till.",
        en: "This is the first question; there is nothing to go back to.",
    }
    /// A revisited question's current answer, in line mode (an empty line keeps it).
    CurrentAnswerKeep {
        nb: "Nåværende svar: {answer} (tom linje beholder det)",
        nn: "Noverande svar: {answer} (tom linje held på det)",
        sv: "Nuvarande svar: {answer} (tom rad behåller det)",
        en: "Current answer: {answer} (an empty line keeps it)",
    }
    /// The word before an item number ("item 10").
    ItemWord {
        nb: "spørsmål",
        nn: "spørsmål",
        sv: "fråga",
        en: "item",
    }
    /// The marker of an urgent flag.
    Urgent {
        nb: "HASTER",
        nn: "HASTAR",
        sv: "BRÅDSKANDE",
        en: "URGENT",
    }
    /// The marker of a non-urgent flag.
    Warning {
        nb: "ADVARSEL",
        nn: "ÅTVARING",
        sv: "VARNING",
        en: "WARNING",
    }
    /// The immediate warning when a flag item is endorsed.
    FlagRaisedNow {
        nb: "{marker}: {flag}. {question} er besvart med «{answer}».",
        nn: "{marker}: {flag}. {question} er svart med «{answer}».",
        sv: "{marker}: {flag}. {question} har besvarats med ”{answer}”.",
        en: "{marker}: {flag}. {question} was answered \"{answer}\".",
    }
    /// A changed answer that takes a flag away.
    FlagClearedNow {
        nb: "Merk: svaret på {question} er endret; «{flag}» gjelder ikke lenger.",
        nn: "Merk: svaret på {question} er endra; «{flag}» gjeld ikkje lenger.",
        sv: "Obs: svaret på {question} har ändrats; ”{flag}” gäller inte längre.",
        en: "Note: the answer to {question} was changed; \"{flag}\" no longer applies.",
    }
    /// Acknowledging the immediate warning (terminal).
    AcknowledgeQuestion {
        nb: "Varselet er sett?",
        nn: "Har du sett varselet?",
        sv: "Har du sett varningen?",
        en: "Warning seen?",
    }
    /// The single option of the acknowledgement.
    AcknowledgeOption {
        nb: "Ja, fortsett",
        nn: "Ja, hald fram",
        sv: "Ja, fortsätt",
        en: "Yes, continue",
    }
    /// How to answer, in the terminal.
    TerminalHelp {
        nb: "↑↓ velg eller skriv nummeret, Enter bekrefter, Esc går tilbake",
        nn: "↑↓ vel eller skriv nummeret, Enter stadfestar, Esc går tilbake",
        sv: "↑↓ välj eller skriv numret, Enter bekräftar, Esc går tillbaka",
        en: "↑↓ choose or type the number, Enter confirms, Esc goes back",
    }
    /// Shown after a question left with Esc (terminal).
    BackIndicator {
        nb: "← tilbake",
        nn: "← tilbake",
        sv: "← tillbaka",
        en: "← back",
    }
    /// The pseudo-option leaving a question unanswered (terminal).
    NoAnswerOption {
        nb: "(ikke besvart – hopp over)",
        nn: "(ikkje svart – hopp over)",
        sv: "(obesvarad – hoppa över)",
        en: "(no answer – skip)",
    }
    /// The review step's question.
    ReviewTitle {
        nb: "Gjennomgang: velg et svar for å endre det, eller fullfør",
        nn: "Gjennomgang: vel eit svar for å endre det, eller fullfør",
        sv: "Granskning: välj ett svar för att ändra det, eller avsluta",
        en: "Review: choose an answer to change it, or finish",
    }
    /// How to use the review step.
    ReviewHelp {
        nb: "↑↓ velg, Enter åpner, Esc går til siste spørsmål",
        nn: "↑↓ vel, Enter opnar, Esc går til siste spørsmål",
        sv: "↑↓ välj, Enter öppnar, Esc går till sista frågan",
        en: "↑↓ choose, Enter opens, Esc goes to the last question",
    }
    /// The review step's finishing choice.
    ReviewFinish {
        nb: "✔ Fullfør og vis resultatet",
        nn: "✔ Fullfør og vis resultatet",
        sv: "✔ Avsluta och visa resultatet",
        en: "✔ Finish and show the result",
    }
    /// An unanswered question in the review list and the result.
    NotAnswered {
        nb: "ikke besvart",
        nn: "ikkje svart på",
        sv: "obesvarad",
        en: "not answered",
    }
    /// The visit stopped before it was finished.
    Abandoned {
        nb: "Besøket ble avbrutt: ingenting er lagret.",
        nn: "Besøket vart avbrote: ingenting er lagra.",
        sv: "Besöket avbröts: ingenting har sparats.",
        en: "Visit abandoned: nothing was saved.",
    }
    /// The result's heading.
    ResultHeading {
        nb: "Resultat",
        nn: "Resultat",
        sv: "Resultat",
        en: "Result",
    }
    /// Who answered.
    RespondentLine {
        nb: "Besvart av: {respondent}",
        nn: "Svart av: {respondent}",
        sv: "Besvarad av: {respondent}",
        en: "Answered by: {respondent}",
    }
    /// The mother as respondent.
    Mother {
        nb: "mor",
        nn: "mor",
        sv: "mamma",
        en: "mother",
    }
    /// The partner as respondent.
    Partner {
        nb: "partner",
        nn: "partner",
        sv: "partner",
        en: "partner",
    }
    /// A scale without a score because of missing answers.
    NoScoreMissing {
        nb: "ingen skår: {missing} av {count} ubesvart (høyst {allowed} kan mangle)",
        nn: "ingen skår: {missing} av {count} ikkje svart på (høgst {allowed} kan mangle)",
        sv: "ingen poäng: {missing} av {count} obesvarade (högst {allowed} får saknas)",
        en: "no score: {missing} of {count} unanswered (at most {allowed} may be)",
    }
    /// A scale without a score because a required answer is missing.
    NoScoreRequired {
        nb: "ingen skår: et spørsmål som alltid må besvares, mangler",
        nn: "ingen skår: eit spørsmål som alltid må svarast på, manglar",
        sv: "ingen poäng: en fråga som alltid måste besvaras saknas",
        en: "no score: an item that must always be answered is missing",
    }
    /// A prorated score.
    Prorated {
        nb: "(justert for {missing} manglende svar)",
        nn: "(justert for {missing} manglande svar)",
        sv: "(justerad för {missing} saknade svar)",
        en: "(prorated over {missing} missing answers)",
    }
    /// The flags line's label.
    FlagsLabel {
        nb: "Flagg",
        nn: "Flagg",
        sv: "Flaggor",
        en: "Flags",
    }
    /// No flag raised.
    NoFlags {
        nb: "ingen",
        nn: "ingen",
        sv: "inga",
        en: "none",
    }
    /// The unanswered items line's label.
    UnansweredLabel {
        nb: "Ikke besvart",
        nn: "Ikkje svart på",
        sv: "Obesvarade",
        en: "Not answered",
    }
    /// What a flag asks the clinician to do.
    ActionLabel {
        nb: "Gjør",
        nn: "Gjer",
        sv: "Gör",
        en: "Do",
    }
    /// The recommended care level.
    CareLevelLabel {
        nb: "Anbefalt omsorgsnivå",
        nn: "Tilrådd omsorgsnivå",
        sv: "Rekommenderad vårdnivå",
        en: "Recommended care level",
    }
    /// The rule table used.
    RuleTableLabel {
        nb: "Regeltabell",
        nn: "Regeltabell",
        sv: "Regeltabell",
        en: "Rule table",
    }
    /// Referral targets.
    ReferralsLabel {
        nb: "Henvisninger",
        nn: "Tilvisingar",
        sv: "Remisser",
        en: "Referrals",
    }
    /// Advice from the rules.
    AdviceLabel {
        nb: "Råd",
        nn: "Råd",
        sv: "Råd",
        en: "Advice",
    }
    /// The rules that fired.
    RulesFiredLabel {
        nb: "Regler som slo til",
        nn: "Reglar som slo til",
        sv: "Regler som slog till",
        en: "Rules that fired",
    }
    /// A fired rule that set the outcome.
    Decides {
        nb: "avgjør",
        nn: "avgjer",
        sv: "avgör",
        en: "decides",
    }
    /// An instrument of the visit the rule table does not use.
    RulesIgnoreInstrument {
        nb: "Merk: regeltabellen {table} bruker ikke {instrument}; skåren vises, men endrer ikke omsorgsnivået.",
        nn: "Merk: regeltabellen {table} brukar ikkje {instrument}; skåren blir vist, men endrar ikkje omsorgsnivået.",
        sv: "Obs: regeltabellen {table} använder inte {instrument}; poängen visas men ändrar inte vårdnivån.",
        en: "Note: the rule table {table} does not use {instrument}; its score is shown but does not change the care level.",
    }
    /// No rule fired.
    NoRuleFired {
        nb: "ingen regel slo til",
        nn: "ingen regel slo til",
        sv: "ingen regel slog till",
        en: "no rule fired",
    }
    /// No recommendation because no rule table was given.
    NoRules {
        nb: "ingen (ingen regeltabell valgt; bruk --rules)",
        nn: "ingen (ingen regeltabell vald; bruk --rules)",
        sv: "ingen (ingen regeltabell vald; använd --rules)",
        en: "none (no rule table chosen; use --rules)",
    }
    /// The rule table recommends nothing for these answers.
    NoRecommendation {
        nb: "ingen anbefaling",
        nn: "inga tilråding",
        sv: "ingen rekommendation",
        en: "no recommendation",
    }
    /// No rule of the table decides a level.
    NoRuleDecides {
        nb: "Ingen regel i tabellen avgjør et nivå for disse svarene.",
        nn: "Ingen regel i tabellen avgjer eit nivå for desse svara.",
        sv: "Ingen regel i tabellen avgör en nivå för dessa svar.",
        en: "No rule of the table decides a level for these answers.",
    }
    /// The closing line: decision support only.
    ClinicianDecides {
        nb: "Beslutningsstøtte, ikke en diagnose: du som kliniker avgjør.",
        nn: "Avgjerdsstøtte, ikkje ein diagnose: du som klinikar avgjer.",
        sv: "Beslutsstöd, inte en diagnos: du som kliniker avgör.",
        en: "Decision support, not a diagnosis: you, the clinician, decide.",
    }
    /// After a successful save.
    Saved {
        nb: "Lagret som rad {row} i {path}.",
        nn: "Lagra som rad {row} i {path}.",
        sv: "Sparat som rad {row} i {path}.",
        en: "Saved as row {row} in {path}.",
    }
    /// A save file that other users may read.
    ReadableByOthers {
        nb: "Advarsel: andre brukere av denne maskinen kan lese {path}; kjør «chmod 600 {path}».",
        nn: "Åtvaring: andre brukarar av denne maskina kan lese {path}; køyr «chmod 600 {path}».",
        sv: "Varning: andra användare av den här datorn kan läsa {path}; kör ”chmod 600 {path}”.",
        en: "Warning: other users of this computer can read {path}; run \"chmod 600 {path}\".",
    }
    /// When nothing is saved because --save was not given.
    NotSaved {
        nb: "Ikke lagret (bruk --save FIL for å lagre en rad).",
        nn: "Ikkje lagra (bruk --save FIL for å lagre ei rad).",
        sv: "Inte sparat (använd --save FIL för att spara en rad).",
        en: "Not saved (use --save FILE to save a row).",
    }
    /// The parent as respondent (child questionnaires).
    Parent {
        nb: "forelder",
        nn: "forelder",
        sv: "förälder",
        en: "parent",
    }
    /// Before the age step of a child questionnaire.
    AgeIntro {
        nb: "Barnets alder velger skjema.",
        nn: "Alderen til barnet vel skjema.",
        sv: "Barnets ålder väljer formulär.",
        en: "The child's age chooses the form.",
    }
    /// How to write the age step's answers, in line mode.
    AgeLineHelp {
        nb: "Datoer skrives 2026-11-23 eller 23.11.2026. b = tilbake.",
        nn: "Datoar blir skrivne 2026-11-23 eller 23.11.2026. b = tilbake.",
        sv: "Datum skrivs 2026-11-23 eller 23.11.2026. b = tillbaka.",
        en: "Write dates as 2026-11-23 or 23.11.2026. b = back.",
    }
    /// The birth date field.
    BirthDate {
        nb: "Barnets fødselsdato",
        nn: "Fødselsdatoen til barnet",
        sv: "Barnets födelsedatum",
        en: "Child's birth date",
    }
    /// The screening date field.
    ScreeningDate {
        nb: "Screeningdato",
        nn: "Screeningdato",
        sv: "Screeningdatum",
        en: "Screening date",
    }
    /// The gestational age field.
    GestationalWeeks {
        nb: "Svangerskapsuke ved fødsel",
        nn: "Svangerskapsveke ved fødsel",
        sv: "Graviditetsvecka vid födseln",
        en: "Gestational weeks at birth",
    }
    /// A field entered before: an empty line keeps it (line mode).
    KeepsValue {
        nb: "tom linje beholder {value}",
        nn: "tom linje held på {value}",
        sv: "tom rad behåller {value}",
        en: "empty line keeps {value}",
    }
    /// The screening date's default (line mode).
    TodayDefault {
        nb: "tom linje = besøksdatoen, {date}",
        nn: "tom linje = besøksdatoen, {date}",
        sv: "tom rad = besöksdatumet, {date}",
        en: "empty line = the visit date, {date}",
    }
    /// How to write the gestational age (line mode).
    GestationHint {
        nb: "36 eller 36+4; tom linje = født til termin",
        nn: "36 eller 36+4; tom linje = fødd til termin",
        sv: "36 eller 36+4; tom rad = född i fullgången tid",
        en: "36 or 36+4; empty line = born at term",
    }
    /// How to write the gestational age when one was entered before (line mode).
    GestationHintKeep {
        nb: "36 eller 36+4, t = født til termin; tom linje beholder {value}",
        nn: "36 eller 36+4, t = fødd til termin; tom linje held på {value}",
        sv: "36 eller 36+4, t = född i fullgången tid; tom rad behåller {value}",
        en: "36 or 36+4, t = born at term; empty line keeps {value}",
    }
    /// How to answer a date field (terminal).
    DateHelp {
        nb: "2026-11-23 eller 23.11.2026, Enter bekrefter, Esc går tilbake",
        nn: "2026-11-23 eller 23.11.2026, Enter stadfestar, Esc går tilbake",
        sv: "2026-11-23 eller 23.11.2026, Enter bekräftar, Esc går tillbaka",
        en: "2026-11-23 or 23.11.2026, Enter confirms, Esc goes back",
    }
    /// How to answer the screening date (terminal).
    ScreeningDateHelp {
        nb: "Enter godtar besøksdatoen, eller skriv 2026-11-23 eller 23.11.2026; Esc går tilbake",
        nn: "Enter godtek besøksdatoen, eller skriv 2026-11-23 eller 23.11.2026; Esc går tilbake",
        sv: "Enter godtar besöksdatumet, eller skriv 2026-11-23 eller 23.11.2026; Esc går tillbaka",
        en: "Enter accepts the visit date, or type 2026-11-23 or 23.11.2026; Esc goes back",
    }
    /// How to answer the gestational age (terminal).
    GestationHelp {
        nb: "36 eller 36+4; tomt = født til termin; Enter bekrefter, Esc går tilbake",
        nn: "36 eller 36+4; tomt = fødd til termin; Enter stadfestar, Esc går tilbake",
        sv: "36 eller 36+4; tomt = född i fullgången tid; Enter bekräftar, Esc går tillbaka",
        en: "36 or 36+4; empty = born at term; Enter confirms, Esc goes back",
    }
    /// The birth date was left empty.
    BirthDateNeeded {
        nb: "Fødselsdatoen trengs: alderen velger skjema.",
        nn: "Fødselsdatoen trengst: alderen vel skjema.",
        sv: "Födelsedatumet behövs: åldern väljer formulär.",
        en: "The birth date is needed: the age chooses the form.",
    }
    /// Not written as a date.
    DateNotADate {
        nb: "«{input}» er ikke en dato: skriv 2026-11-23 eller 23.11.2026.",
        nn: "«{input}» er ikkje ein dato: skriv 2026-11-23 eller 23.11.2026.",
        sv: "”{input}” är inget datum: skriv 2026-11-23 eller 23.11.2026.",
        en: "\"{input}\" is not a date: write 2026-11-23 or 23.11.2026.",
    }
    /// A slash date.
    DateAmbiguous {
        nb: "«{input}» kan leses både som dag/måned og måned/dag: skriv 2026-11-23 eller 23.11.2026.",
        nn: "«{input}» kan lesast både som dag/månad og månad/dag: skriv 2026-11-23 eller 23.11.2026.",
        sv: "”{input}” kan läsas både som dag/månad och månad/dag: skriv 2026-11-23 eller 23.11.2026.",
        en: "\"{input}\" could be day/month or month/day: write 2026-11-23 or 23.11.2026.",
    }
    /// A two-digit year.
    DateShortYear {
        nb: "«{input}» har tosifret årstall: skriv alle fire sifrene (23.11.2026).",
        nn: "«{input}» har tosifra årstal: skriv alle fire sifra (23.11.2026).",
        sv: "”{input}” har tvåsiffrigt årtal: skriv alla fyra siffrorna (23.11.2026).",
        en: "\"{input}\" has a two-digit year: write all four digits (23.11.2026).",
    }
    /// A day that does not exist.
    DateNoSuchDay {
        nb: "«{input}» finnes ikke i kalenderen.",
        nn: "«{input}» finst ikkje i kalenderen.",
        sv: "”{input}” finns inte i kalendern.",
        en: "\"{input}\" is not a day of the calendar.",
    }
    /// A year outside 1900-2200.
    DateYearRange {
        nb: "«{input}» er utenfor årene 1900–2200.",
        nn: "«{input}» er utanfor åra 1900–2200.",
        sv: "”{input}” ligger utanför åren 1900–2200.",
        en: "\"{input}\" is outside the years 1900–2200.",
    }
    /// A screening date after today.
    ScreeningInFuture {
        nb: "Screeningdatoen {date} er etter dagens dato ({today}).",
        nn: "Screeningdatoen {date} er etter dagens dato ({today}).",
        sv: "Screeningdatumet {date} är efter dagens datum ({today}).",
        en: "The screening date {date} is after today ({today}).",
    }
    /// A birth date after today.
    BirthInFuture {
        nb: "Fødselsdatoen {date} er etter dagens dato ({today}).",
        nn: "Fødselsdatoen {date} er etter dagens dato ({today}).",
        sv: "Födelsedatumet {date} är efter dagens datum ({today}).",
        en: "The birth date {date} is after today ({today}).",
    }
    /// Not written as a gestational age.
    GestationBad {
        nb: "«{input}» er ikke en svangerskapsalder: skriv hele uker (36) eller uker+dager (36+4).",
        nn: "«{input}» er ikkje ein svangerskapsalder: skriv heile veker (36) eller veker+dagar (36+4).",
        sv: "”{input}” är ingen graviditetslängd: skriv hela veckor (36) eller veckor+dagar (36+4).",
        en: "\"{input}\" is not a gestational age: write whole weeks (36) or weeks+days (36+4).",
    }
    /// A gestational age outside 20-45 weeks.
    GestationImplausible {
        nb: "«{input}» uker er ikke en mulig svangerskapsalder ved fødsel ({low}–{high} uker).",
        nn: "«{input}» veker er ikkje ein mogleg svangerskapsalder ved fødsel ({low}–{high} veker).",
        sv: "”{input}” veckor är ingen möjlig graviditetslängd vid födseln ({low}–{high} veckor).",
        en: "\"{input}\" weeks is not a possible gestational age at birth ({low}–{high} weeks).",
    }
    /// The screening date is before the birth date.
    ScreenedBeforeBirth {
        nb: "Screeningdatoen ({screening}) er før fødselsdatoen ({birth}).",
        nn: "Screeningdatoen ({screening}) er før fødselsdatoen ({birth}).",
        sv: "Screeningdatumet ({screening}) är före födelsedatumet ({birth}).",
        en: "The screening date ({screening}) is before the birth date ({birth}).",
    }
    /// Corrected for prematurity, the child has not reached term.
    BeforeTerm {
        nb: "Korrigert for prematuritet har barnet ikke nådd termin ennå ({days} igjen): ingen skjema kan brukes.",
        nn: "Korrigert for prematuritet har barnet ikkje nådd termin enno ({days} att): inkje skjema kan brukast.",
        sv: "Korrigerat för förtidig födsel har barnet inte nått fullgången tid ännu ({days} kvar): inget formulär kan användas.",
        en: "Corrected for prematurity, the child has not reached term yet ({days} to go): no form can be used.",
    }
    /// An age in no interval's window.
    OutsideForms {
        nb: "{instrument}: {which} {age} passer ikke noe skjema; nærmeste: {nearest}.",
        nn: "{instrument}: {which} {age} passar ikkje noko skjema; nærmaste: {nearest}.",
        sv: "{instrument}: {which} {age} passar inget formulär; närmast: {nearest}.",
        en: "{instrument}: {which} {age} fits no form; nearest: {nearest}.",
    }
    /// "the age" in OutsideForms.
    TheAge {
        nb: "alderen",
        nn: "alderen",
        sv: "åldern",
        en: "the age",
    }
    /// "the corrected age" in OutsideForms.
    TheCorrectedAge {
        nb: "den korrigerte alderen",
        nn: "den korrigerte alderen",
        sv: "den korrigerade åldern",
        en: "the corrected age",
    }
    /// Joins two nearest forms.
    And {
        nb: "og",
        nn: "og",
        sv: "och",
        en: "and",
    }
    /// After a refused age, in line mode.
    AgeAgainLine {
        nb: "Skriv datoene på nytt (tom linje beholder det som står).",
        nn: "Skriv datoane på nytt (tom linje held på det som står).",
        sv: "Skriv datumen på nytt (tom rad behåller det som står).",
        en: "Enter the dates again (an empty line keeps what was entered).",
    }
    /// After a refused age, in the terminal.
    AgeAgainTerminal {
        nb: "Rett datoene (feltene er fylt ut med det som ble skrevet).",
        nn: "Rett datoane (felta er fylte ut med det som vart skrive).",
        sv: "Rätta datumen (fälten är ifyllda med det som skrevs).",
        en: "Correct the dates (the fields hold what was entered).",
    }
    /// The form's label in the result and after the age step.
    FormLabel {
        nb: "Skjema",
        nn: "Skjema",
        sv: "Formulär",
        en: "Form",
    }
    /// An interval's window.
    Window {
        nb: "{from} til {to}",
        nn: "{from} til {to}",
        sv: "{from} till {to}",
        en: "{from} to {to}",
    }
    /// A form's number of questions.
    QuestionCount {
        nb: "{count} spørsmål",
        nn: "{count} spørsmål",
        sv: "{count} frågor",
        en: "{count} questions",
    }
    /// The age's label.
    AgeLabel {
        nb: "Alder",
        nn: "Alder",
        sv: "Ålder",
        en: "Age",
    }
    /// The age with the dates it comes from.
    AgeWithDates {
        nb: "{age} (født {birth}, screenet {screening})",
        nn: "{age} (fødd {birth}, screena {screening})",
        sv: "{age} (född {birth}, screenad {screening})",
        en: "{age} (born {birth}, screened {screening})",
    }
    /// The corrected age's label.
    CorrectedAgeLabel {
        nb: "Korrigert alder",
        nn: "Korrigert alder",
        sv: "Korrigerad ålder",
        en: "Corrected age",
    }
    /// A corrected age and why.
    CorrectedBecause {
        nb: "{age} (født ved {gestation} uker, {early} før termin; den korrigerte alderen velger skjema)",
        nn: "{age} (fødd ved {gestation} veker, {early} før termin; den korrigerte alderen vel skjema)",
        sv: "{age} (född i vecka {gestation}, {early} före fullgången tid; den korrigerade åldern väljer formulär)",
        en: "{age} (born at {gestation} weeks, {early} before term; the corrected age chooses the form)",
    }
    /// No correction: born at term.
    NotCorrectedTerm {
        nb: "brukes ikke (født til termin)",
        nn: "blir ikkje brukt (fødd til termin)",
        sv: "används inte (född i fullgången tid)",
        en: "not used (born at term)",
    }
    /// No correction: not born early enough.
    NotCorrectedEarly {
        nb: "brukes ikke (født ved {gestation} uker, {early} før termin; korrigeres fra {min} uker før termin)",
        nn: "blir ikkje brukt (fødd ved {gestation} veker, {early} før termin; blir korrigert frå {min} veker før termin)",
        sv: "används inte (född i vecka {gestation}, {early} före fullgången tid; korrigeras från {min} veckor före)",
        en: "not used (born at {gestation} weeks, {early} before term; corrected from {min} weeks early)",
    }
    /// No correction: too old.
    NotCorrectedOld {
        nb: "brukes ikke fra {months} måneders alder",
        nn: "blir ikkje brukt frå {months} månaders alder",
        sv: "används inte från {months} månaders ålder",
        en: "not used from {months} months of age",
    }
    /// One month.
    Month {
        nb: "måned",
        nn: "månad",
        sv: "månad",
        en: "month",
    }
    /// Several months.
    Months {
        nb: "måneder",
        nn: "månader",
        sv: "månader",
        en: "months",
    }
    /// One day.
    Day {
        nb: "dag",
        nn: "dag",
        sv: "dag",
        en: "day",
    }
    /// Several days.
    Days {
        nb: "dager",
        nn: "dagar",
        sv: "dagar",
        en: "days",
    }
    /// The review list's age entry.
    AgeReview {
        nb: "Barnets alder: født {birth}, screenet {screening}, {gestation} → {forms}",
        nn: "Alderen til barnet: fødd {birth}, screena {screening}, {gestation} → {forms}",
        sv: "Barnets ålder: född {birth}, screenad {screening}, {gestation} → {forms}",
        en: "Child's age: born {birth}, screened {screening}, {gestation} → {forms}",
    }
    /// A gestational age in the review.
    GestationWeeksShort {
        nb: "{gestation} uker",
        nn: "{gestation} veker",
        sv: "vecka {gestation}",
        en: "{gestation} weeks",
    }
    /// Born at term, in the review.
    AtTermShort {
        nb: "til termin",
        nn: "til termin",
        sv: "fullgången",
        en: "at term",
    }
    /// How to tick a concern box, in line mode.
    ConcernLineHelp {
        nb: "Bekymringsrute: skriv x etter nummeret (2x) når ruten er krysset av på skjemaet.",
        nn: "Bekymringsrute: skriv x etter nummeret (2x) når ruta er kryssa av på skjemaet.",
        sv: "Oroskryss: skriv x efter numret (2x) när rutan är ikryssad på formuläret.",
        en: "Concern box: add x to the number (2x) when the box is ticked on the form.",
    }
    /// The input prompt in line mode, for an item with a concern box.
    LinePromptConcern {
        nb: "Svar (1-{max} eller 1x-{max}x, b, tom linje)> ",
        nn: "Svar (1-{max} eller 1x-{max}x, b, tom linje)> ",
        sv: "Svar (1-{max} eller 1x-{max}x, b, tom rad)> ",
        en: "Answer (1-{max} or 1x-{max}x, b, empty line)> ",
    }
    /// An answer that is not an option, for an item with a concern box.
    InvalidAnswerConcern {
        nb: "«{input}» er ikke et svar her: skriv et tall fra 1 til {max}, med x etter når bekymringsruten er krysset av (2x), b for å gå tilbake, eller en tom linje for å hoppe over.",
        nn: "«{input}» er ikkje eit svar her: skriv eit tal frå 1 til {max}, med x etter når bekymringsruta er kryssa av (2x), b for å gå tilbake, eller ei tom linje for å hoppe over.",
        sv: "”{input}” är inget svar här: skriv ett tal från 1 till {max}, med x efter när oroskrysset är ifyllt (2x), b för att gå tillbaka, eller en tom rad för att hoppa över.",
        en: "\"{input}\" is not an answer here: type a number from 1 to {max}, with x after it when the concern box is ticked (2x), b to go back, or an empty line to skip.",
    }
    /// A ticked concern box, after an answer.
    ConcernTicked {
        nb: "bekymring krysset av",
        nn: "bekymring kryssa av",
        sv: "oro ikryssad",
        en: "concern ticked",
    }
    /// The result's concern boxes row.
    ConcernsLabel {
        nb: "Bekymringsruter",
        nn: "Bekymringsruter",
        sv: "Oroskryss",
        en: "Concern boxes",
    }
    /// The result's zones row.
    ZonesLabel {
        nb: "Soner for skjemaet",
        nn: "Soner for skjemaet",
        sv: "Zoner för formuläret",
        en: "Zones of the form",
    }
    /// A wording file in another language than the visit.
    TextsLanguage {
        nb: "Merk: ordlyden til {instrument} er på «{language}» (fra tekstpakken), resten på norsk.",
        nn: "Merk: ordlyden til {instrument} er på «{language}» (frå tekstpakken), resten på nynorsk.",
        sv: "Obs: formuleringen för {instrument} är på ”{language}” (från textpaketet), resten på svenska.",
        en: "Note: the wording of {instrument} is in \"{language}\" (from the text pack), the rest in English.",
    }
    /// An age that chose another form dropped the answers of the earlier one.
    AnswersDropped {
        nb: "Merk: alderen valgte et annet skjema for {instrument}; de {count} svarene fra det forrige skjemaet er forkastet.",
        nn: "Merk: alderen valde eit anna skjema for {instrument}; dei {count} svara frå det førre skjemaet er forkasta.",
        sv: "Obs: åldern valde ett annat formulär för {instrument}; de {count} svaren från det förra formuläret har tagits bort.",
        en: "Note: the age chose another form for {instrument}; the {count} answers from the earlier form were dropped.",
    }
    /// A typed number that is not an option (terminal list entry).
    NotAnOption {
        nb: "(det nummeret er ikke et svaralternativ her: skriv 1–{max})",
        nn: "(det nummeret er ikkje eit svaralternativ her: skriv 1–{max})",
        sv: "(det numret är inget svarsalternativ här: skriv 1–{max})",
        en: "(that number is not an option here: type 1–{max})",
    }
    /// The deliberate "not asked / declined" entry of a critical item (terminal, typed 0).
    DeclinedOption {
        nb: "0. Ikke spurt / vil ikke svare (flagget blir ukjent: spør nå)",
        nn: "0. Ikkje spurt / vil ikkje svare (flagget blir ukjent: spør no)",
        sv: "0. Inte frågat / vill inte svara (flaggan blir okänd: fråga nu)",
        en: "0. Not asked / declined (the flag becomes unknown: ask now)",
    }
    /// How to answer a critical item, in the terminal.
    CriticalHelp {
        nb: "↑↓ velg eller skriv nummeret, Enter bekrefter, Esc går tilbake; 0 = ikke spurt / vil ikke svare",
        nn: "↑↓ vel eller skriv nummeret, Enter stadfestar, Esc går tilbake; 0 = ikkje spurt / vil ikkje svare",
        sv: "↑↓ välj eller skriv numret, Enter bekräftar, Esc går tillbaka; 0 = inte frågat / vill inte svara",
        en: "↑↓ choose or type the number, Enter confirms, Esc goes back; 0 = not asked / declined",
    }
    /// An urgent flag whose item has no answer.
    FlagUnknownNow {
        nb: "{marker}: {flag} er ukjent: {question} er ikke besvart.",
        nn: "{marker}: {flag} er ukjent: {question} manglar svar.",
        sv: "{marker}: {flag} är okänd: {question} är obesvarad.",
        en: "{marker}: {flag} is unknown: {question} was not answered.",
    }
    /// What to do about an unknown urgent flag.
    AskNow {
        nb: "Spør om {question} nå, ved dette besøket; ved ja: {action}",
        nn: "Spør om {question} no, ved dette besøket; ved ja: {action}",
        sv: "Ställ {question} nu, vid detta besök; vid ja: {action}",
        en: "Ask {question} now, at this visit; if yes: {action}",
    }
    /// An unknown flag in the result's flags row.
    FlagUnknownShort {
        nb: "ukjent, spørsmål {number} ikke besvart",
        nn: "ukjent, spørsmål {number} ikkje svart på",
        sv: "okänd, fråga {number} obesvarad",
        en: "unknown, item {number} not answered",
    }
    /// Acknowledging the warning: what the keys do (terminal).
    AcknowledgeHelp {
        nb: "Enter bekrefter at varselet er sett; Esc går tilbake til spørsmålet",
        nn: "Enter stadfestar at varselet er sett; Esc går tilbake til spørsmålet",
        sv: "Enter bekräftar att varningen är sedd; Esc går tillbaka till frågan",
        en: "Enter confirms the warning was seen; Esc goes back to the question",
    }
    /// Finishing with unanswered questions (terminal).
    ConfirmUnanswered {
        nb: "{count} spørsmål er ikke besvart ({items}). Fullføre likevel?",
        nn: "{count} spørsmål er ikkje svart på ({items}). Fullføre likevel?",
        sv: "{count} frågor är obesvarade ({items}). Avsluta ändå?",
        en: "{count} questions are not answered ({items}). Finish anyway?",
    }
    /// Go back to the review instead of finishing.
    ConfirmNo {
        nb: "Nei, tilbake til gjennomgangen",
        nn: "Nei, tilbake til gjennomgangen",
        sv: "Nej, tillbaka till granskningen",
        en: "No, back to the review",
    }
    /// Finish with unanswered questions.
    ConfirmYes {
        nb: "Ja, fullfør med ubesvarte spørsmål",
        nn: "Ja, fullfør med spørsmål som ikkje er svart på",
        sv: "Ja, avsluta med obesvarade frågor",
        en: "Yes, finish with unanswered questions",
    }
    /// Abandoned while an urgent flag was raised or unknown.
    AbandonedUrgent {
        nb: "!!! Besøket ble avbrutt med et hastevarsel som ikke er fulgt opp: {flags}. Følg det opp nå. Ingenting er lagret.",
        nn: "!!! Besøket vart avbrote med eit hastevarsel som ikkje er følgt opp: {flags}. Følg det opp no. Ingenting er lagra.",
        sv: "!!! Besöket avbröts med en brådskande varning som inte har följts upp: {flags}. Följ upp den nu. Ingenting har sparats.",
        en: "!!! The visit was abandoned with an urgent warning not yet acted on: {flags}. Act on it now. Nothing was saved.",
    }
    /// The save failed after the visit.
    SaveFailed {
        nb: "!!! Besøket ble IKKE lagret i {path}: {reason}. Resultatet står ovenfor.",
        nn: "!!! Besøket vart IKKJE lagra i {path}: {reason}. Resultatet står ovanfor.",
        sv: "!!! Besöket sparades INTE i {path}: {reason}. Resultatet står ovan.",
        en: "!!! The visit was NOT saved in {path}: {reason}. The result is shown above.",
    }
    /// Offering another file after a failed save (terminal).
    SaveElsewhere {
        nb: "Lagre i en annen fil (tomt = ikke lagre)",
        nn: "Lagre i ei anna fil (tomt = ikkje lagre)",
        sv: "Spara i en annan fil (tomt = spara inte)",
        en: "Save to another file (empty = do not save)",
    }
    /// A bad save target, found before the first question.
    SaveTargetBad {
        nb: "--save {path}: {reason}; ingen spørsmål er stilt. Velg en annen fil.",
        nn: "--save {path}: {reason}; ingen spørsmål er stilte. Vel ei anna fil.",
        sv: "--save {path}: {reason}; inga frågor har ställts. Välj en annan fil.",
        en: "--save {path}: {reason}; no question was asked. Choose another file.",
    }
    /// Why a save target is refused: the directory does not exist.
    SaveNoDirectory {
        nb: "mappen {dir} finnes ikke",
        nn: "mappa {dir} finst ikkje",
        sv: "mappen {dir} finns inte",
        en: "the directory {dir} does not exist",
    }
    /// Why a save target is refused: not a regular file.
    SaveNotAFile {
        nb: "det er ikke en vanlig fil (en mappe eller en spesialfil)",
        nn: "det er ikkje ei vanleg fil (ei mappe eller ei spesialfil)",
        sv: "det är ingen vanlig fil (en mapp eller en specialfil)",
        en: "it is not a regular file (a directory or a special file)",
    }
    /// Why a save target is refused: no permission.
    SaveNoPermission {
        nb: "du har ikke lov til å skrive der ({error})",
        nn: "du har ikkje lov til å skrive der ({error})",
        sv: "du har inte behörighet att skriva där ({error})",
        en: "you may not write there ({error})",
    }
    /// Why a save target is refused: other columns.
    SaveOtherColumns {
        nb: "filen har andre kolonner enn dette besøket (andre instrumenter, en annen regeltabell, eller ikke en fil med besøk)",
        nn: "fila har andre kolonnar enn dette besøket (andre instrument, ein annan regeltabell, eller ikkje ei fil med besøk)",
        sv: "filen har andra kolumner än detta besök (andra instrument, en annan regeltabell, eller inte en fil med besök)",
        en: "the file has other columns than this visit (other instruments, another rule table, or not a file of visits)",
    }
    /// Why a save target is refused: not a file of visits.
    SaveNotVisits {
        nb: "filen er ikke en fil med lagrede besøk",
        nn: "fila er ikkje ei fil med lagra besøk",
        sv: "filen är inte en fil med sparade besök",
        en: "the file is not a file of saved visits",
    }
    /// Why a save failed: reading or writing.
    SaveIo {
        nb: "feil ved lesing eller skriving ({error})",
        nn: "feil ved lesing eller skriving ({error})",
        sv: "fel vid läsning eller skrivning ({error})",
        en: "reading or writing failed ({error})",
    }
    /// Clinician inputs that were not assessed.
    NotAssessedLabel {
        nb: "Ikke vurdert",
        nn: "Ikkje vurdert",
        sv: "Inte bedömt",
        en: "Not assessed",
    }
    /// The context step's introduction (terminal).
    ContextIntro {
        nb: "Klinisk vurdering for regeltabellen (tomt = ikke vurdert):",
        nn: "Klinisk vurdering for regeltabellen (tomt = ikkje vurdert):",
        sv: "Klinisk bedömning för regeltabellen (tomt = inte bedömt):",
        en: "Clinical context for the rule table (blank = not assessed):",
    }
    /// The context step's "not assessed" choice.
    ContextNotAssessed {
        nb: "ikke vurdert",
        nn: "ikkje vurdert",
        sv: "inte bedömt",
        en: "not assessed",
    }
    /// Yes.
    Yes {
        nb: "ja",
        nn: "ja",
        sv: "ja",
        en: "yes",
    }
    /// No.
    No {
        nb: "nei",
        nn: "nei",
        sv: "nej",
        en: "no",
    }
    /// How to use the context step (terminal).
    ContextHelp {
        nb: "↑↓ velg, Enter bekrefter, Esc = ikke vurdert",
        nn: "↑↓ vel, Enter stadfestar, Esc = ikkje vurdert",
        sv: "↑↓ välj, Enter bekräftar, Esc = inte bedömt",
        en: "↑↓ choose, Enter confirms, Esc = not assessed",
    }
    /// After the summary, in the terminal: what more can be shown.
    MoreTitle {
        nb: "Mer?",
        nn: "Meir?",
        sv: "Mer?",
        en: "More?",
    }
    /// Show the rules and reasons.
    MoreDetails {
        nb: "Vis regler, råd og begrunnelser",
        nn: "Vis reglar, råd og grunngivingar",
        sv: "Visa regler, råd och motiveringar",
        en: "Show the rules, advice and reasons",
    }
    /// Show the journal note.
    MoreNote {
        nb: "Vis journalnotatet",
        nn: "Vis journalnotatet",
        sv: "Visa journalanteckningen",
        en: "Show the journal note",
    }
    /// Done.
    MoreDone {
        nb: "Ferdig",
        nn: "Ferdig",
        sv: "Klar",
        en: "Done",
    }
    /// An --id that looks like a national identity number.
    IdLooksNational {
        nb: "Advarsel: --id ser ut som et {kind}. Lagre aldri identitetsnummer her; bruk journalsystemets referanse.",
        nn: "Åtvaring: --id ser ut som eit {kind}. Lagre aldri identitetsnummer her; bruk referansen frå journalsystemet.",
        sv: "Varning: --id ser ut som ett {kind}. Spara aldrig identitetsnummer här; använd journalsystemets referens.",
        en: "Warning: --id looks like a {kind}. Never save identity numbers here; use the record system's reference.",
    }
    /// A Norwegian national identity number.
    Fodselsnummer {
        nb: "norsk fødselsnummer",
        nn: "norsk fødselsnummer",
        sv: "norskt födelsenummer",
        en: "Norwegian national identity number (fødselsnummer)",
    }
    /// A Swedish national identity number.
    Personnummer {
        nb: "svensk personnummer",
        nn: "svensk personnummer",
        sv: "svenskt personnummer",
        en: "Swedish personal identity number (personnummer)",
    }
    /// The note was written.
    NoteWritten {
        nb: "Journalnotat skrevet til {path}.",
        nn: "Journalnotat skrive til {path}.",
        sv: "Journalanteckning skriven till {path}.",
        en: "Journal note written to {path}.",
    }
    /// The journal note's heading.
    NoteHeading {
        nb: "Screening {date}",
        nn: "Screening {date}",
        sv: "Screening {date}",
        en: "Screening {date}",
    }
    /// The journal note: the care level.
    NoteLevel {
        nb: "Omsorgsnivå (anbefalt)",
        nn: "Omsorgsnivå (tilrådd)",
        sv: "Vårdnivå (rekommenderad)",
        en: "Care level (recommended)",
    }
    /// The journal note: the rules and table version.
    NoteRules {
        nb: "Beslutningsstøtte: stepcare, regeltabell {table} {version}",
        nn: "Avgjerdsstøtte: stepcare, regeltabell {table} {version}",
        sv: "Beslutsstöd: stepcare, regeltabell {table} {version}",
        en: "Decision support: stepcare, rule table {table} {version}",
    }
    /// The journal note: no rule table.
    NoteNoRules {
        nb: "Beslutningsstøtte: stepcare, uten regeltabell",
        nn: "Avgjerdsstøtte: stepcare, utan regeltabell",
        sv: "Beslutsstöd: stepcare, utan regeltabell",
        en: "Decision support: stepcare, no rule table",
    }
    /// The journal note's closing line.
    NoteClinician {
        nb: "Klinikeren har vurdert resultatet og avgjør videre tiltak.",
        nn: "Klinikaren har vurdert resultatet og avgjer vidare tiltak.",
        sv: "Klinikern har bedömt resultatet och avgör fortsatta åtgärder.",
        en: "The clinician has reviewed the result and decides what follows.",
    }
    /// The warning was acknowledged (journal note and result).
    AcknowledgedAt {
        nb: "Varsel sett og bekreftet {time}",
        nn: "Varsel sett og stadfesta {time}",
        sv: "Varning sedd och bekräftad {time}",
        en: "Warning seen and acknowledged {time}",
    }
    /// Pending actions of the rule table.
    PendingLabel {
        nb: "Gjør nå",
        nn: "Gjer no",
        sv: "Gör nu",
        en: "To do now",
    }

    /// The level a completed form could still reach.
    PossibleLevel {
        nb: "Et fullført skjema kan gi: {level}",
        nn: "Eit fullført skjema kan gi: {level}",
        sv: "Ett ifyllt formulär kan ge: {level}",
        en: "A completed form could give: {level}",
    }

    /// Heading when an instrument of one question starts.
    InstrumentIntroOne {
        nb: "{name}: 1 spørsmål",
        nn: "{name}: 1 spørsmål",
        sv: "{name}: 1 fråga",
        en: "{name}: 1 question",
    }
    /// A form of one question.
    QuestionCountOne {
        nb: "1 spørsmål",
        nn: "1 spørsmål",
        sv: "1 fråga",
        en: "1 question",
    }
    /// Finishing with one unanswered question (terminal).
    ConfirmUnansweredOne {
        nb: "1 spørsmål er ikke besvart ({items}). Fullføre likevel?",
        nn: "1 spørsmål er ikkje svart på ({items}). Fullføre likevel?",
        sv: "1 fråga är obesvarad ({items}). Avsluta ändå?",
        en: "1 question is not answered ({items}). Finish anyway?",
    }
    /// An age that chose another form dropped the one answer of the earlier one.
    AnswersDroppedOne {
        nb: "Merk: alderen valgte et annet skjema for {instrument}; svaret fra det forrige skjemaet er forkastet.",
        nn: "Merk: alderen valde eit anna skjema for {instrument}; svaret frå det førre skjemaet er forkasta.",
        sv: "Obs: åldern valde ett annat formulär för {instrument}; svaret från det förra formuläret har tagits bort.",
        en: "Note: the age chose another form for {instrument}; the answer from the earlier form was dropped.",
    }
    /// A scale without a score because of missing answers, when none may be missing.
    NoScoreMissingNone {
        nb: "ingen skår: {missing} av {count} ubesvart (ingen kan mangle)",
        nn: "ingen skår: {missing} av {count} ikkje svart på (ingen kan mangle)",
        sv: "ingen poäng: {missing} av {count} obesvarade (ingen får saknas)",
        en: "no score: {missing} of {count} unanswered (none may be)",
    }
    /// A score prorated over one missing answer.
    ProratedOne {
        nb: "(justert for 1 manglende svar)",
        nn: "(justert for 1 manglande svar)",
        sv: "(justerad för 1 saknat svar)",
        en: "(prorated over 1 missing answer)",
    }
    /// When to screen again (the result and the journal note).
    RescreenLabel {
        nb: "Ny screening",
        nn: "Ny screening",
        sv: "Ny screening",
        en: "Screen again",
    }
    /// The due date (termin).
    DueDate {
        nb: "Termindato",
        nn: "Termindato",
        sv: "Beräknad förlossning",
        en: "Due date",
    }
    /// A due date too far after the visit.
    DueDateTooLate {
        nb: "termindatoen {date} er mer enn 40 uker etter besøket ({visit})",
        nn: "termindatoen {date} er meir enn 40 veker etter besøket ({visit})",
        sv: "det beräknade förlossningsdatumet {date} är mer än 40 veckor efter besöket ({visit})",
        en: "the due date {date} is more than 40 weeks after the visit ({visit})",
    }
    /// A birth date after the visit.
    BirthAfterVisit {
        nb: "fødselsdatoen {date} er etter besøket ({visit})",
        nn: "fødselsdatoen {date} er etter besøket ({visit})",
        sv: "födelsedatumet {date} är efter besöket ({visit})",
        en: "the birth date {date} is after the visit ({visit})",
    }
    /// The dates step's introduction (terminal).
    DatesIntro {
        nb: "Datoer for oppfølgingen (tomt = ukjent):",
        nn: "Datoar for oppfølginga (tomt = ukjent):",
        sv: "Datum för uppföljningen (tomt = okänt):",
        en: "Dates for the follow-up (blank = unknown):",
    }
    /// How to answer a date of the dates step (terminal).
    FamilyDateHelp {
        nb: "2026-11-23 eller 23.11.2026; tomt eller Esc = ukjent; Enter bekrefter",
        nn: "2026-11-23 eller 23.11.2026; tomt eller Esc = ukjent; Enter stadfestar",
        sv: "2026-11-23 eller 23.11.2026; tomt eller Esc = okänt; Enter bekräftar",
        en: "2026-11-23 or 23.11.2026; blank or Esc = unknown; Enter confirms",
    }
    /// A --set birth date that differs from the child questionnaire's.
    BirthDateFromChild {
        nb: "Merk: fødselsdatoen fra barnets skjema ({child}) brukes, ikke --set birth_date={given}.",
        nn: "Merk: fødselsdatoen frå skjemaet til barnet ({child}) blir brukt, ikkje --set birth_date={given}.",
        sv: "Obs: födelsedatumet från barnets formulär ({child}) används, inte --set birth_date={given}.",
        en: "Note: the birth date of the child's form ({child}) is used, not --set birth_date={given}.",
    }
    /// How many inputs were not assessed, when the one screen has no room for their names.
    NotAssessedCount {
        nb: "{count} (se journalnotatet)",
        nn: "{count} (sjå journalnotatet)",
        sv: "{count} (se journalanteckningen)",
        en: "{count} (see the journal note)",
    }
    /// What to do about an unknown urgent flag, on a crowded screen.
    AskNowShort {
        nb: "Spør om {question} nå, ved dette besøket.",
        nn: "Spør om {question} no, ved dette besøket.",
        sv: "Ställ {question} nu, vid detta besök.",
        en: "Ask {question} now, at this visit.",
    }
    /// An unknown flag in the flags row, on a crowded screen.
    FlagUnknownTiny {
        nb: "ukjent",
        nn: "ukjent",
        sv: "okänd",
        en: "unknown",
    }
    /// The flags row on a crowded screen: the warnings above name them.
    FlagsAbove {
        nb: "{count} (se varslene øverst)",
        nn: "{count} (sjå varsla øvst)",
        sv: "{count} (se varningarna överst)",
        en: "{count} (see the warnings above)",
    }
    /// A scale without a score, on a crowded screen.
    NoScoreShort {
        nb: "ingen skår ({missing} av {count} ubesvart)",
        nn: "ingen skår ({missing} av {count} manglar svar)",
        sv: "ingen poäng ({missing} av {count} obesvarade)",
        en: "no score ({missing} of {count} unanswered)",
    }
}

impl Msg {
    /// `one` when `n` is 1, else `many`: the message whose nouns agree with the count.
    pub fn by_count(n: usize, one: Msg, many: Msg) -> Msg {
        if n == 1 { one } else { many }
    }

    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        let [nb, nn, sv, en] = self.texts();
        match lang {
            Lang::Nb => nb,
            Lang::Nn => nn,
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    /// The text in `lang` with every `{name}` replaced by its value.
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        let mut text = self.get(lang).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn placeholders(text: &str) -> BTreeSet<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_placeholders() {
        for &msg in Msg::ALL {
            let english = placeholders(msg.get(Lang::En));
            for lang in Lang::ALL {
                let text = msg.get(lang);
                assert!(!text.trim().is_empty(), "{msg:?} is empty in {lang}");
                assert_eq!(
                    placeholders(text),
                    english,
                    "{msg:?} in {lang} has other placeholders than in English"
                );
            }
        }
    }

    #[test]
    fn norwegian_and_swedish_are_translated() {
        // Words that are the same in the languages on purpose.
        let same = [
            Msg::ResultHeading,
            Msg::Partner,
            Msg::RuleTableLabel,
            Msg::AdviceLabel,
            Msg::Day,
            Msg::Yes,
            Msg::MoreTitle,
            Msg::NoteHeading,
            Msg::RescreenLabel,
            Msg::FlagUnknownTiny,
        ];
        for &msg in Msg::ALL {
            if same.contains(&msg) {
                continue;
            }
            assert_ne!(msg.get(Lang::Nb), msg.get(Lang::En), "{msg:?} nb");
            assert_ne!(msg.get(Lang::Sv), msg.get(Lang::En), "{msg:?} sv");
            assert_ne!(msg.get(Lang::Nb), msg.get(Lang::Sv), "{msg:?} nb = sv");
        }
    }

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            Msg::Saved.fill(Lang::En, &[("row", "3"), ("path", "visits.csv")]),
            "Saved as row 3 in visits.csv."
        );
    }
}
