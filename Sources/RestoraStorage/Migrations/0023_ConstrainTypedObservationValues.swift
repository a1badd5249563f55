/// The second half of the move (0022 copied and verified): the typed columns' constraints, and the JSON
/// columns dropped. Kept apart so that a database whose values moved but break a constraint stops here, at
/// 0022, with both forms of every value still stored.
let m0023_ConstrainTypedObservationValues = Migration(
    name: "0023_ConstrainTypedObservationValues", steps: TypedObservationSQL.constrainSteps,
    ifDataConflicts: "an observation's value or specimen breaks the typed columns' constraints (a kind's columns missing or another kind's set, specimen details without a specimen type); correct it with the previous release")
