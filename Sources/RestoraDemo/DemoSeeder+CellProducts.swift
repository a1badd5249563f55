import Foundation
import RestoraDomain

/// A cell product's life as replayable steps: created at harvest, custody appended event by event, the
/// release decided by the domain (`evaluateRelease` against the protocol's specification, REFERENCE.md D2)
/// right before the released/rejected custody event, and the status moved as the custody says.
enum DemoProductStep {
    case create(CellProduct)
    case custody(Identifier<CellProduct>, CustodyEvent)
}

/// The current stored state of each product being replayed (value and version for the next write).
struct DemoProductLedger {
    private var current: [Identifier<CellProduct>: (product: CellProduct, version: Int)] = [:]

    static func steps(of product: CellProduct) -> [DemoStep] {
        guard let first = product.custody.first else { return [] }
        var created = product
        created.custody = [first]
        created.releaseStatus = .inProcess
        created.releaseDecision = nil
        var steps = [DemoStep(at: first.at, rank: 1, kind: .product(.create(created)))]
        for event in product.custody.dropFirst() {
            steps.append(DemoStep(at: event.at, rank: 1, kind: .product(.custody(product.id, event))))
        }
        return steps
    }

    mutating func apply(_ step: DemoProductStep, seeder: DemoSeeder, definition: ProtocolDefinition,
                        summary: inout DemoSeeder.Summary) async throws {
        let repository = seeder.repositories.cellProducts
        switch step {
        case let .create(product):
            let stored = try await repository.create(product, context: seeder.context(), idempotencyKey: nil)
            current[product.id] = (stored.value, stored.version)
            summary.cellProducts += 1
        case let .custody(id, event):
            guard var (product, version) = current[id] else {
                throw DemoGenerationError("seed: custody event for product \(id.rawValue) before it was created")
            }
            switch event.kind {
            case .administered:
                // The injection recorded through CellTherapyEntry marked the lot administered and appended this
                // step already (same transaction as the procedure): read the lot as it now stands.
                let stored = try await repository.get(id)
                guard stored.value.releaseStatus == .administered else {
                    throw DemoGenerationError("seed: lot \(product.lot) is \(stored.value.releaseStatus.rawValue) after its injection, not administered")
                }
                (product, version) = (stored.value, stored.version)
            case .quarantined:
                product.custody.append(event)
                product.releaseStatus = .quarantine
                let stored = try await repository.update(product, expectedVersion: version, context: seeder.context("quarantined pending release testing"))
                (product, version) = (stored.value, stored.version)
            case .released, .rejected:
                let decision = try product.evaluateRelease(
                    specification: definition.release ?? .isct2006Default,
                    specificationSource: definition.release == nil ? "built-in ISCT 2006 defaults" : "protocol \(definition.id)")
                switch (decision.outcome, event.kind) {
                case (.released, .released): product.releaseStatus = .released
                case (.rejected, .rejected): product.releaseStatus = .rejected
                default:
                    throw DemoGenerationError("seed: lot \(product.lot): the release decision is \(decision.outcome.rawValue), the demo recorded \(event.kind.rawValue)")
                }
                product.releaseDecision = decision
                // The decision and its custody step are one write (one transaction), as CellTherapyEntry.decideRelease stores them.
                product.custody.append(event)
                let stored = try await repository.update(
                    product, expectedVersion: version, context: seeder.context("release decision: \(decision.summary)"))
                (product, version) = (stored.value, stored.version)
            default:
                let stored = try await repository.appendCustody(event, to: id, expectedVersion: version, context: seeder.context())
                (product, version) = (stored.value, stored.version)
            }
            current[id] = (product, version)
        }
    }
}
