import Foundation
import OMSPlatform

/// Which adapter speaks to which marketplace platform, and how each platform codes the carriers.
/// Invariant: `tmall` and `taobao` go through TOP, `jd` through JOS; a platform without settings
/// has no gateway, and its ship-backs and stock pushes fail visibly (`platform_not_configured`).
struct MarketplaceGateways: Sendable {
    /// Read from the environment.
    struct Configuration: Sendable, Equatable {
        var taobao: TaobaoGateway.Configuration?
        var jd: JDGateway.Configuration?
        /// OMS carrier company → TOP `company_code` (`OMS_TAOBAO_CARRIER_CODES` overrides, `SF=SF,…`).
        var taobaoCarrierCodes: [String: String]
        /// OMS carrier company → JD `logistics_id` (`OMS_JD_CARRIER_IDS` overrides).
        var jdCarrierIds: [String: String]
        /// `OMS_MARKETPLACE_TIMEOUT_SECONDS` (10): one call to a platform.
        var timeoutSeconds: Int = 10

        static let defaultTaobaoCarrierCodes = ["SF": "SF", "JD": "JD", "YTO": "YTO", "ZTO": "ZTO", "STO": "STO", "YUNDA": "YUNDA", "EMS": "EMS"]
        /// JD's ids of the common carriers; check them against `jingdong.delivery.logistics.get`
        /// for the shop, and override in `OMS_JD_CARRIER_IDS`.
        static let defaultJDCarrierIds = ["SF": "467", "JD": "2087", "YTO": "463", "ZTO": "1499", "STO": "470", "YUNDA": "1327", "EMS": "465"]

        init(taobao: TaobaoGateway.Configuration? = nil, jd: JDGateway.Configuration? = nil,
             taobaoCarrierCodes: [String: String] = Self.defaultTaobaoCarrierCodes, jdCarrierIds: [String: String] = Self.defaultJDCarrierIds) {
            self.taobao = taobao
            self.jd = jd
            self.taobaoCarrierCodes = taobaoCarrierCodes
            self.jdCarrierIds = jdCarrierIds
        }

        init(environment: [String: String]) throws {
            let reader = EnvironmentReader(environment)
            timeoutSeconds = try reader.integer("OMS_MARKETPLACE_TIMEOUT_SECONDS", 10, 1...120)
            let timeout = Int64(timeoutSeconds)
            func required(_ key: String, _ when: String) throws -> String {
                guard let value = environment[key], !value.isEmpty else { throw ConfigurationError(key: key, reason: "required when \(when) is set") }
                return value
            }
            if let key = environment["OMS_TAOBAO_APP_KEY"], !key.isEmpty {
                let method = reader.string("OMS_TAOBAO_SIGN_METHOD", "md5")
                guard method == "md5" || method == "hmac-sha256" else { throw ConfigurationError(key: "OMS_TAOBAO_SIGN_METHOD", reason: "md5 or hmac-sha256") }
                taobao = TaobaoGateway.Configuration(gatewayURL: reader.string("OMS_TAOBAO_GATEWAY_URL", "https://eco.taobao.com/router/rest"), appKey: key,
                                                     appSecret: try required("OMS_TAOBAO_APP_SECRET", "OMS_TAOBAO_APP_KEY"),
                                                     session: try required("OMS_TAOBAO_SESSION", "OMS_TAOBAO_APP_KEY"), signMethod: method, timeoutSeconds: timeout)
            }
            if let key = environment["OMS_JD_APP_KEY"], !key.isEmpty {
                jd = JDGateway.Configuration(gatewayURL: reader.string("OMS_JD_GATEWAY_URL", "https://api.jd.com/routerjson"), appKey: key,
                                             appSecret: try required("OMS_JD_APP_SECRET", "OMS_JD_APP_KEY"),
                                             accessToken: try required("OMS_JD_ACCESS_TOKEN", "OMS_JD_APP_KEY"), timeoutSeconds: timeout)
            }
            taobaoCarrierCodes = Self.defaultTaobaoCarrierCodes.merging(try Self.pairs(reader.list("OMS_TAOBAO_CARRIER_CODES"), "OMS_TAOBAO_CARRIER_CODES")) { _, new in new }
            jdCarrierIds = Self.defaultJDCarrierIds.merging(try Self.pairs(reader.list("OMS_JD_CARRIER_IDS"), "OMS_JD_CARRIER_IDS")) { _, new in new }
        }

        static func pairs(_ items: [String], _ key: String) throws -> [String: String] {
            var map: [String: String] = [:]
            for item in items {
                let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ConfigurationError(key: key, reason: "CARRIER=CODE pairs separated by commas") }
                map[parts[0]] = parts[1]
            }
            return map
        }
    }

    static let platforms = ["tmall", "taobao", "jd"]

    let configuration: Configuration

    /// The adapter for `platform`, nil when it is not configured.
    func gateway(for platform: String) -> (any MarketplaceGateway)? {
        switch platform {
        case "tmall", "taobao": configuration.taobao.map { TaobaoGateway(configuration: $0) }
        case "jd": configuration.jd.map { JDGateway(configuration: $0) }
        default: nil
        }
    }

    /// Whether `platform` takes a partial parcel on its own (by sub-order ids) and a replacement
    /// parcel's new tracking number: TOP does (`sub_tid`, `consign.resend`); JD's ship call takes
    /// the order's one waybill.
    static func takesSplitParcels(_ platform: String) -> Bool {
        platform == "tmall" || platform == "taobao"
    }

    /// How `platform` codes the OMS carrier company `carrier`.
    func companyCode(carrier: String, platform: String) -> String? {
        switch platform {
        case "tmall", "taobao": configuration.taobaoCarrierCodes[carrier]
        case "jd": configuration.jdCarrierIds[carrier]
        default: nil
        }
    }
}
