import Foundation
import Hummingbird
import NIOCore
import OMSDomain
import OMSPlatform

/// The warehouse floor's pages: a warehouse's pick waves and releasing one; a wave's pick list in
/// walking order with one scan field (a barcode scanner types the code and Enter; the scan goes to
/// the first open task, so the picker walks the list in order) and short picks; the pack station
/// (every unit scanned against the item master's barcodes before packing); the printable waybill
/// label with its Code 128 tracking barcode; receiving returned goods with their condition.
struct WarehousePages: Sendable {
    let gateway: ServiceGateway
    let view: ConsoleView

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/warehouse") { request, context in try await warehouses(request, context) }
        router.post("/warehouse/:code/waves") { _, context in
            let session = try context.require(.warehouse)
            let code = try context.identifier("code")
            let answer = try await gateway.call(.POST, .fulfillment, "/v1/fulfillment/warehouses/\(code)/waves", as: session.staff)
            if answer.ok, let id = answer.object["waveId"].map(OrderPages.text) { return ConsoleView.redirect("/warehouse/waves/\(id)") }
            return ConsoleView.redirect("/warehouse?code=\(code)&problem=\(answer.status == 409 ? "nothingToWave" : "waveFailed")")
        }
        router.get("/warehouse/waves/:id") { request, context in
            let session = try context.require(.warehouse)
            return try await wavePage(try context.identifier("id"), session: session, context: context,
                                      notice: request.uri.queryParameters["picked"].map { "\(ConsoleText.text("pickedOne", context.language)) \($0)" })
        }
        router.post("/warehouse/waves/:id/scan") { _, context in try await scan(context) }
        router.post("/warehouse/waves/:id/tasks/:task/short") { _, context in
            let session = try context.require(.warehouse)
            let wave = try context.identifier("id"), task = try context.identifier("task")
            let note = context.form.text("note")
            let answer = try await gateway.call(.POST, .fulfillment, "/v1/fulfillment/pick-tasks/\(task)/short", as: session.staff,
                                                body: note.isEmpty ? ["picker": session.staff.name] : ["picker": session.staff.name, "note": note])
            if answer.ok { return ConsoleView.redirect("/warehouse/waves/\(wave)") }
            return try await wavePage(wave, session: session, context: context, problem: answer.message, status: .conflict)
        }
        router.get("/warehouse/pack/:id") { request, context in
            let session = try context.require(.warehouse)
            return try await packPage(try context.identifier("id"), session: session, context: context, scanned: [:],
                                      notice: request.uri.queryParameters["done"] == "packed" ? ConsoleText.text("packed", context.language) : nil)
        }
        router.post("/warehouse/pack/:id/scan") { _, context in try await packScan(context) }
        router.post("/warehouse/pack/:id") { _, context in try await pack(context) }
        router.get("/warehouse/waybill/:tracking") { _, context in try await waybill(context) }
        router.get("/warehouse/barcode/:value") { _, context in
            _ = try context.require(.warehouse)
            let value = String((context.parameters.get("value") ?? "").prefix(64))
            guard let svg = Code128.svg(value) else { throw ConsoleFailure.notFound }
            return Response(status: .ok, headers: [.contentType: "image/svg+xml"], body: .init(byteBuffer: ByteBuffer(string: svg)))
        }
        router.get("/warehouse/returns") { _, context in
            _ = try context.require(.warehouse)
            return view.page("returns", title: ConsoleText.text("receiveReturn", context.language), context: context, data: Self.returnForm([:]), current: .warehouse)
        }
        router.post("/warehouse/returns") { _, context in try await receiveReturn(context) }
    }

    func warehouses(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let list = try await gateway.read(.inventory, "/v1/inventory/warehouses", as: session.staff)
        let codes = (list["warehouses"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String ?? $0["warehouseId"] as? String }
        let chosen = request.uri.queryParameters["code"].map(String.init).flatMap { codes.contains($0) ? $0 : nil } ?? codes.first
        var data: [String: Any] = ["warehouses": codes.map { ["code": $0, "selected": $0 == chosen] }]
        if let chosen {
            data["code"] = chosen
            var waves: [[String: Any]] = []
            for status in ["picking", "completed"] {
                let json = try await gateway.read(.fulfillment, "/v1/fulfillment/warehouses/\(chosen)/waves?status=\(status)", as: session.staff)
                waves += (json["waves"] as? [[String: Any]] ?? []).prefix(status == "completed" ? 10 : 50).map { wave in
                    ["waveId": OrderPages.text(wave["waveId"]), "status": OrderPages.text(wave["status"]), "orders": OrderPages.text(wave["orderCount"]),
                     "progress": "\(OrderPages.text(wave["percentComplete"]))%", "createdAt": ConsoleFormat.time(iso: wave["createdAt"] as? String),
                     "releasedBy": OrderPages.text(wave["releasedBy"])]
                }
            }
            data["waves"] = waves
            data["hasWaves"] = !waves.isEmpty
        }
        if let problem = request.uri.queryParameters["problem"], ["nothingToWave", "waveFailed"].contains(problem) {
            data["problem"] = ConsoleText.text(String(problem), context.language)
        }
        return view.page("warehouse", title: ConsoleText.text("page.warehouse", context.language), context: context, data: data, current: .warehouse)
    }

    func wavePage(_ id: String, session: StaffSession, context: ConsoleRequestContext, notice: String? = nil, problem: String? = nil,
                  fieldErrors: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let wave = try await gateway.read(.fulfillment, "/v1/fulfillment/waves/\(id)", as: session.staff)
        let (tasks, current) = Self.walkingOrder(wave)
        var fulfillmentOrders: [String] = []
        for task in tasks { if let fo = task["fulfillmentOrderId"] as? String, !fulfillmentOrders.contains(fo) { fulfillmentOrders.append(fo) } }
        let rows = tasks.map { task -> [String: Any] in
            ["taskId": OrderPages.text(task["taskId"]), "sequence": OrderPages.text(task["sequence"]), "location": OrderPages.text(task["location"]),
             "sku": OrderPages.text(task["sku"]), "itemName": OrderPages.text(task["itemName"]), "quantity": OrderPages.text(task["quantity"]),
             "picked": OrderPages.text(task["picked"]), "short": OrderPages.text(task["short"]), "status": OrderPages.text(task["status"]),
             "open": (task["status"] as? String) == "open", "current": (task["taskId"] as? NSNumber) == (current?["taskId"] as? NSNumber)]
        }
        var data: [String: Any] = [
            "wave": ["waveId": id, "status": OrderPages.text(wave["status"]), "warehouseId": OrderPages.text(wave["warehouseId"]),
                     "progress": "\(OrderPages.text(wave["unitsPicked"]))/\(OrderPages.text(wave["unitsTotal"]))"],
            "tasks": rows, "scanning": current != nil, "fieldErrors": fieldErrors,
            "fulfillmentOrders": fulfillmentOrders.map { ["id": $0] },
        ]
        if let current { data["current"] = ["sku": OrderPages.text(current["sku"]), "location": OrderPages.text(current["location"]), "itemName": OrderPages.text(current["itemName"])] }
        if let notice { data["notice"] = notice }
        if let problem { data["problem"] = problem }
        return view.page("wave", title: "\(ConsoleText.text("wave", context.language)) \(id)", context: context, data: data, status: status, current: .warehouse)
    }

    /// A scan on the wave's first open task (one unit); a wrong item is refused by fulfillment and
    /// shown next to the scan field.
    func scan(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let id = try context.identifier("id")
        let barcode = context.form.text("barcode")
        let wave = try await gateway.read(.fulfillment, "/v1/fulfillment/waves/\(id)", as: session.staff)
        guard let task = Self.walkingOrder(wave).current, let taskID = task["taskId"].map(OrderPages.text) else {
            return try await wavePage(id, session: session, context: context, problem: ConsoleText.text("waveDone", context.language), status: .conflict)
        }
        guard !barcode.isEmpty else {
            return try await wavePage(id, session: session, context: context, fieldErrors: ["barcode": ConsoleText.text("scanSomething", context.language)], status: .unprocessableContent)
        }
        let answer = try await gateway.call(.POST, .fulfillment, "/v1/fulfillment/pick-tasks/\(taskID)/scans", as: session.staff,
                                            body: ["barcode": barcode, "quantity": 1, "picker": session.staff.name])
        if answer.ok { return ConsoleView.redirect("/warehouse/waves/\(id)?picked=\(FormEncoding.rfc3986(OrderPages.text(task["sku"])))") }
        return try await wavePage(id, session: session, context: context, fieldErrors: ["barcode": answer.fieldErrors["barcode"] ?? answer.fieldErrors["quantity"] ?? answer.message],
                                  status: .unprocessableContent)
    }

    /// A wave's tasks in walking order and the first still open (where the next scan goes).
    static func walkingOrder(_ wave: [String: Any]) -> (tasks: [[String: Any]], current: [String: Any]?) {
        let tasks = (wave["tasks"] as? [[String: Any]] ?? []).sorted { (($0["sequence"] as? Int) ?? 0) < (($1["sequence"] as? Int) ?? 0) }
        return (tasks, tasks.first { ($0["status"] as? String) == "open" })
    }

    /// The units of each SKU a fulfillment order packs: what was picked of its lines.
    static func unitsToPack(_ order: [String: Any]) -> [String: Int] {
        var needed: [String: Int] = [:]
        for line in order["lines"] as? [[String: Any]] ?? [] { needed[OrderPages.text(line["sku"]), default: 0] += ((line["picked"] as? Int) ?? 0) }
        return needed
    }

    /// `sku*count;sku*count` as posted back by the pack station's hidden field.
    static func scannedCounts(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for part in text.split(separator: ";") {
            let pieces = part.split(separator: "*")
            if pieces.count == 2, let count = Int(pieces[1]), count > 0, count < 10_000 { counts[String(pieces[0])] = count }
        }
        return counts
    }

    static func scannedText(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key)*\($0.value)" }.joined(separator: ";")
    }

    /// The fulfillment order at the pack station and the others merged into its boxes (合单):
    /// the packer scans and boxes every one of them together.
    func packingGroup(_ id: String, session: StaffSession) async throws -> (order: [String: Any], members: [[String: Any]]) {
        let order = try await gateway.read(.fulfillment, "/v1/fulfillment/orders/\(id)", as: session.staff)
        var members: [[String: Any]] = []
        for member in order["mergedWith"] as? [String] ?? [] {
            members.append(try await gateway.read(.fulfillment, "/v1/fulfillment/orders/\(FormEncoding.rfc3986(member))", as: session.staff))
        }
        return (order, members)
    }

    /// The units a group packs, by SKU: what was picked of every member's lines.
    static func unitsToPack(_ group: (order: [String: Any], members: [[String: Any]])) -> [String: Int] {
        ([group.order] + group.members).map(unitsToPack).reduce(into: [:]) { total, units in total.merge(units, uniquingKeysWith: +) }
    }

    func packPage(_ id: String, session: StaffSession, context: ConsoleRequestContext, scanned: [String: Int], notice: String? = nil,
                  problem: String? = nil, fieldErrors: [String: String] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let group = try await packingGroup(id, session: session)
        let order = group.order
        // Each member's lines; a merged order's lines are labelled with its order id.
        let lines = (order["lines"] as? [[String: Any]] ?? []) + group.members.flatMap { member in
            (member["lines"] as? [[String: Any]] ?? []).map { line in
                line.merging(["lineNumber": "\(OrderPages.text(member["orderId"])) #\(OrderPages.text(line["lineNumber"]))"]) { $1 }
            }
        }
        let needed = Self.unitsToPack(group)
        var unallotted = scanned
        let orderStatus = OrderPages.text(order["status"])
        let parcels = (order["parcels"] as? [[String: Any]] ?? []).map { parcel -> [String: Any] in
            ["parcelId": OrderPages.text(parcel["parcelId"]), "carton": OrderPages.text(parcel["cartonCode"]), "weight": OrderPages.text(parcel["weightGrams"])]
        }
        var shipments: [[String: Any]] = []
        if !parcels.isEmpty, let orderID = order["orderId"] as? String {
            let json = try await gateway.read(.logistics, "/v1/logistics/shipments?orderId=\(FormEncoding.rfc3986(orderID))", as: session.staff)
            shipments = (json["shipments"] as? [[String: Any]] ?? []).filter { ($0["parcelId"] as? String).map { parcelID in parcels.contains { ($0["parcelId"] as? String) == parcelID } } ?? false }
                .map { ["tracking": OrderPages.text($0["trackingNumber"]), "carrier": OrderPages.text($0["carrier"])] }
        }
        let complete = !needed.isEmpty && needed.allSatisfy { scanned[$0.key, default: 0] >= $0.value }
        var data: [String: Any] = [
            "fo": ["id": id, "orderId": OrderPages.text(order["orderId"]), "status": orderStatus, "warehouseId": OrderPages.text(order["warehouseId"])],
            "lines": lines.map { line -> [String: Any] in
                let sku = OrderPages.text(line["sku"])
                let picked = (line["picked"] as? Int) ?? 0
                // Scans of a SKU count towards its lines in order.
                let counted = min(unallotted[sku, default: 0], picked)
                unallotted[sku, default: 0] -= counted
                return ["lineNumber": OrderPages.text(line["lineNumber"]), "sku": sku, "quantity": OrderPages.text(line["picked"]),
                        "scanned": counted, "done": counted >= picked]
            },

            "scanned": Self.scannedText(scanned), "packable": orderStatus == "picked", "complete": complete, "fieldErrors": fieldErrors,
            "parcels": parcels, "shipments": shipments, "awaitingCarrier": !parcels.isEmpty && shipments.isEmpty,
        ]
        if !group.members.isEmpty {
            data["mergedWith"] = group.members.map { "\(OrderPages.text($0["fulfillmentOrderId"])) (\(OrderPages.text($0["orderId"])))" }.joined(separator: ", ")
        }
        if let notice { data["notice"] = notice }
        if let problem { data["problem"] = problem }
        return view.page("pack", title: "\(ConsoleText.text("packStation", context.language)) \(id)", context: context, data: data, status: status, current: .warehouse)
    }

    /// A unit scanned at the pack station: counted against the line whose item has that barcode.
    func packScan(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let id = try context.identifier("id")
        var scanned = Self.scannedCounts(context.form.text("scanned"))
        let barcode = context.form.text("barcode")
        let needed = Self.unitsToPack(try await packingGroup(id, session: session))
        var matched: String?
        for sku in needed.keys.sorted() {
            let item = try await gateway.read(.fulfillment, "/v1/fulfillment/items/\(FormEncoding.rfc3986(sku))", as: session.staff)
            if (item["barcodes"] as? [String] ?? []).contains(barcode) { matched = sku; break }
        }
        guard let sku = matched else {
            return try await packPage(id, session: session, context: context, scanned: scanned,
                                      fieldErrors: ["barcode": ConsoleText.text("notInThisOrder", context.language)], status: .unprocessableContent)
        }
        guard scanned[sku, default: 0] < needed[sku, default: 0] else {
            return try await packPage(id, session: session, context: context, scanned: scanned,
                                      fieldErrors: ["barcode": ConsoleText.text("alreadyAllScanned", context.language) + " \(sku)"], status: .unprocessableContent)
        }
        scanned[sku, default: 0] += 1
        return try await packPage(id, session: session, context: context, scanned: scanned)
    }

    func pack(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let id = try context.identifier("id")
        let scanned = Self.scannedCounts(context.form.text("scanned"))
        let needed = Self.unitsToPack(try await packingGroup(id, session: session))
        guard !needed.isEmpty, needed.allSatisfy({ scanned[$0.key, default: 0] >= $0.value }) else {
            return try await packPage(id, session: session, context: context, scanned: scanned, problem: ConsoleText.text("scanEveryUnit", context.language),
                                      status: .unprocessableContent)
        }
        let answer = try await gateway.call(.POST, .fulfillment, "/v1/fulfillment/orders/\(id)/pack", as: session.staff, body: ["packer": session.staff.name])
        if answer.ok { return ConsoleView.redirect("/warehouse/pack/\(id)?done=packed") }
        return try await packPage(id, session: session, context: context, scanned: scanned, problem: answer.message, status: .conflict)
    }

    func waybill(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let tracking = try context.identifier("tracking")
        var label = try await gateway.read(.logistics, "/v1/logistics/shipments/\(tracking)/waybill", as: session.staff)
        if ((label["cashOnDeliveryFen"] as? NSNumber)?.int64Value ?? 0) > 0 { label["cod"] = OrderPages.money(label["cashOnDeliveryFen"]) }
        label["declared"] = OrderPages.money(label["declaredValueFen"])
        let handling = (label["handling"] as? [String] ?? []).joined(separator: " · ")
        if !handling.isEmpty { label["handlingText"] = handling }
        if let box = label["boxOrderIds"] as? [String], box.count > 1 { label["boxOrders"] = box.joined(separator: ", ") }
        label["barcodePath"] = "/warehouse/barcode/\(FormEncoding.rfc3986(tracking))"
        return view.page("waybill", title: "\(ConsoleText.text("waybill", context.language)) \(tracking)", context: context, data: ["label": label], current: .warehouse)
    }

    static let conditions = ReturnedItemCondition.allCases.map(\.rawValue)

    static func returnForm(_ values: [String: String]) -> [String: Any] {
        ["form": values, "conditions": conditions.map { ["code": $0, "selected": $0 == values["condition"]] }]
    }

    func receiveReturn(_ context: ConsoleRequestContext) async throws -> Response {
        let session = try context.require(.warehouse)
        let form = context.form
        let values = ["returnId": form.text("returnId"), "warehouseId": form.text("warehouseId"), "lineNumber": form.text("lineNumber"),
                      "quantity": form.text("quantity"), "condition": form.text("condition")]
        var fieldErrors: [String: String] = [:]
        let returnID = values["returnId"]!
        if !(1...80).contains(returnID.count) || !returnID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            fieldErrors["returnId"] = ConsoleText.text("required", context.language)
        }
        guard let line = Int(values["lineNumber"]!), line > 0 else { fieldErrors["lineNumber"] = ConsoleText.text("positiveNumber", context.language); return returnsAgain(context, values, fieldErrors) }
        guard let quantity = Int(values["quantity"]!), quantity > 0 else { fieldErrors["quantity"] = ConsoleText.text("positiveNumber", context.language); return returnsAgain(context, values, fieldErrors) }
        guard fieldErrors.isEmpty else { return returnsAgain(context, values, fieldErrors) }
        let answer = try await gateway.call(.POST, .aftersales, "/v1/aftersales/returns/\(returnID)/receipt", as: session.staff,
                                            body: ["warehouseId": values["warehouseId"]!, "items": [["lineNumber": line, "quantity": quantity, "condition": values["condition"]!]]])
        if answer.ok {
            var data = Self.returnForm([:])
            data["notice"] = "\(ConsoleText.text("returnReceived", context.language)) \(returnID) · \(OrderPages.text(answer.object["status"]))"
            return view.page("returns", title: ConsoleText.text("receiveReturn", context.language), context: context, data: data, current: .warehouse)
        }
        var errors = answer.fieldErrors
        if let item = errors.removeValue(forKey: "items[0].condition") { errors["condition"] = item }
        if answer.status == 404 { errors["returnId"] = ConsoleText.text("error.404", context.language) }
        var data = Self.returnForm(values)
        data["fieldErrors"] = errors
        if errors.isEmpty { data["problem"] = answer.message }
        return view.page("returns", title: ConsoleText.text("receiveReturn", context.language), context: context, data: data, status: .unprocessableContent, current: .warehouse)
    }

    private func returnsAgain(_ context: ConsoleRequestContext, _ values: [String: String], _ errors: [String: String]) -> Response {
        var data = Self.returnForm(values)
        data["fieldErrors"] = errors
        return view.page("returns", title: ConsoleText.text("receiveReturn", context.language), context: context, data: data, status: .unprocessableContent, current: .warehouse)
    }
}
