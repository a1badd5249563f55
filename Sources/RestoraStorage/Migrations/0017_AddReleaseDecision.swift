/// The release decision of a cell product, stored with the status it moved the product to.
let m0017_AddReleaseDecision = Migration(name: "0017_AddReleaseDecision", statements: [
    "ALTER TABLE cell_products ADD COLUMN release_decision TEXT",
])
