import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import OMSPlatform

/// Renders the console's pages: a template plus what every page needs (texts in the chosen
/// language, the staff member, their navigation, the CSRF token, the time). Invariant: the
/// navigation lists only the pages the staff member's role may open.
struct ConsoleView: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    func page(_ template: String, title: String, context: ConsoleRequestContext, data: [String: Any] = [:],
              status: HTTPResponse.Status = .ok, current: ConsolePage? = nil) -> Response {
        let language = context.language
        var values = data
        values["t"] = ConsoleText.table(language)
        values["title"] = title
        values["htmlLang"] = language.htmlTag
        values["otherLanguage"] = language.other.rawValue
        values["now"] = ConsoleFormat.time(Date())
        if let session = context.session {
            values["csrf"] = session.csrfToken
            values["staff"] = ["name": session.staff.name, "displayName": session.staff.displayName,
                               "roleLabel": Self.roleLabel(session.staff.role, language)]
            if !session.staff.mustChangePassword {
                values["nav"] = ConsolePage.allCases.filter { $0.roles.contains(session.staff.role) }.map { page -> [String: Any] in
                    ["path": page.path, "label": ConsoleText.text(page.titleKey, language), "active": page == current, "home": page == .home]
                }
            }
        }
        let html = library.render(values, withTemplate: template) ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func roleLabel(_ role: AccessRole, _ language: ConsoleLanguage) -> String {
        ConsoleText.text("role.\(role.rawValue)", language)
    }

    /// 303 to `location` (after a form: the browser then GETs the result page).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
