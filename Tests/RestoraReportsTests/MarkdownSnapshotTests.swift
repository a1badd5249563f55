import Foundation
import RestoraReports
import Testing

/// Snapshot of the Markdown for a small fixed dataset. When the rendering changes on purpose, the test
/// writes the new text to the temporary directory so it can be reviewed and pasted here.
@Suite struct MarkdownSnapshotTests {
    @Test func smallProgram() throws {
        let definition = try require(try ReportFixture.protocols().first { $0.id == "isotretinoin-noa" })
        let markdown = MarkdownRenderer.render(try StudyReport.build(try SmallDataset.make(definition: definition)))
        if markdown != Self.expected {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("restora-small-report.md")
            try? markdown.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(markdown == Self.expected)
    }

    static let expected = """
    # Small test program

    Protocol `isotretinoin-noa` v1.0 (drug-course); data as of 2025-04-01.

    - single-arm program: there is no control group, so responses cannot be attributed to the treatment

    ## Participant flow

    | Step | n |
    | --- | --- |
    | Pre-screened | 3 |
    | Screened | 3 |
    | Screen failed | 1 |
    | Eligible | 2 |
    | Enrolled | 2 |
    | Enrolled with a protocol deviation | 0 |
    | Started treatment | 2 |
    | Completed | 0 |
    | Ongoing | 2 |
    | Withdrawn | 0 |
    | Lost to follow-up | 0 |
    | Analysed (participants who started treatment) | 2 |


    ## Protocol deviations

    No protocol deviations recorded.


    ## Baseline characteristics

    | Characteristic (n = 2) | Value | Recorded in |
    | --- | --- | --- |
    | Age, years, median (IQR) [range] | 37 (35 to 38) [34 to 39] | 2 |
    | Sex | male 2 (100%) | 2 |
    | Diagnosis at screening (WHO classification of the screening samples) | azoospermia 1 (50%); cryptozoospermia 1 (50%) | 2 |
    | Prior sperm retrieval | 0 (0%) | 2 |
    | Testicular histology (REFERENCE.md B5) | Sertoli-cell-only 1 (50%); maturation arrest 1 (50%) | 2 |
    | FSH, IU/L, median (IQR) [range] | 14.3 (10.4 to 18.1) [6.5 to 22.0] | 2 |
    | Testicular volume, mL (mean of both sides), median (IQR) [range] | 11.5 (9.8 to 13.3) [8.0 to 15.0] | 2 |


    ## Primary endpoint

    **Reliable motile sperm in the ejaculate, usable for IVF-ICSI**: 1/2 (50.0%, Clopper–Pearson 95% CI 1.3% to 98.7%).

    | Responders | Analysed | Proportion | Clopper–Pearson 95% CI | Wilson 95% CI |
    | --- | --- | --- | --- | --- |
    | 1 | 2 | 50.0% | 1.3% to 98.7% | 9.5% to 90.5% |

    Responder: motile sperm in the ejaculate (fresh preparation or examined centrifuged pellet) on at least 2 semen analyses after day 0; time to response is the scheduled day of the first such visit.


    ## Time to first response

    1 of 1 responder (100.0%) responded by month 3. Cumulative incidence: 50.0% by month 3 (1 responder); 50.0% by month 6 (1 responder).

    | Month | 0 | 1 | 2 |
    | --- | --- | --- | --- |
    | At risk | 2 | 1 | 0 |

    > Note: months = days from day 0 / 30.44; the scheduled day of the visit is used, as responses are only seen at visits

    ## Response by diagnosis at screening

    | Group | Responders / n |
    | --- | --- |
    | azoospermia | 1/1 (100.0%) |
    | cryptozoospermia | 0/1 (0.0%) |

    Fisher's exact test (2×2, two-sided) p = 1.000

    > Note: small groups: a large p-value does not show the groups respond alike

    ## Response by testicular histology

    | Group | Responders / n |
    | --- | --- |
    | Sertoli-cell-only | 0/1 (0.0%) |
    | maturation arrest | 1/1 (100.0%) |

    Fisher's exact test (2×2, two-sided) p = 1.000

    > Note: small groups: a large p-value does not show the groups respond alike

    ## Response by maturation arrest vs other histology

    | Group | Responders / n |
    | --- | --- |
    | maturation arrest | 1/1 (100.0%) |
    | other histology | 0/1 (0.0%) |

    Fisher's exact test (2×2, two-sided) p = 1.000

    > Note: small groups: a large p-value does not show the groups respond alike

    ## Safety: adverse events by CTCAE v5.0 term

    Safety population: 2 participants who started treatment; 2 had at least one adverse event, 0 serious events, 0 stopped the treatment for an adverse event.

    | Term | Participants | Worst grade 1 | 2 | 3 | 4 | 5 | Serious |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | Dry skin | 2 (100%) | 1 | 1 | 0 | 0 | 0 | 0 |
    | Irritability | 1 (50%) | 1 | 0 | 0 | 0 | 0 | 0 |


    ## Bone mineral density change

    _Not available: this protocol does not measure bone density (no DXA in its assessments)._


    ## Predictors of response

    _Not available: the model could not be fitted: insufficient data: 4 parameters but only 2 observations._

    > Note: Only 2 participants and 1 responder: about 0.3 responders per predictor, where about 10 are usually wanted. The odds ratios are very imprecise and may be far from the truth; read them as ideas for the next trial, not findings.

    ## Planning the next trial

    - Randomized trial: 19 per arm (38 in all, Fleiss continuity correction; 15 per arm without) to detect 50.0% vs 5% with 80% power at two-sided α = 0.05.
    - Simon two-stage (p0 10%, p1 50.0%): optimal: treat 3; stop if ≤ 0 respond; otherwise treat 9 in all and call it promising if > 2 respond (expected size under p0 4.6).

    > Note: control rate 5% and uninteresting rate 10% are assumptions (U), not data

    """
}
