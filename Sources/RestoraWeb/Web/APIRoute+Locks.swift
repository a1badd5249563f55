/// Record locking (issue #16 item 4, docs/locking.md): lock a signed casebook (an enrolment) or visit, unlock it
/// (admin, with a reason), and read a participant's locks.
extension APIRoute {
    static let lockCasebook = APIRoute(.post, "enrolments/:id/lock")
    static let unlockCasebook = APIRoute(.post, "enrolments/:id/unlock")
    static let lockVisit = APIRoute(.post, "visits/:id/lock")
    static let unlockVisit = APIRoute(.post, "visits/:id/unlock")
    static let participantLocks = APIRoute(.get, "participants/:id/locks")

    static let lockRoutes: [APIRoute] = [lockCasebook, unlockCasebook, lockVisit, unlockVisit, participantLocks]
}
