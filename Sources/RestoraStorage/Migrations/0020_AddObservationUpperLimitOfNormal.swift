/// The laboratory's upper limit of normal printed with a value (CTCAE grades liver enzymes, bilirubin and
/// cholesterol relative to it).
let m0020_AddObservationUpperLimitOfNormal = Migration(name: "0020_AddObservationUpperLimitOfNormal", statements: [
    "ALTER TABLE observations ADD COLUMN upper_limit_of_normal DOUBLE PRECISION",
])
