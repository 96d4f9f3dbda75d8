/// The built-in templates, used until ops save their own (`PUT /v1/notifications/templates/…`).
/// The SMS template codes are placeholders: a shop registers each text with its SMS provider,
/// which approves it and issues the real code, and ops save that code here.
extension NotificationTemplate {
    static func builtIn(_ type: NotificationMessageType, language: String) -> NotificationTemplate {
        let english = language == "en"
        let (smsZH, subjectZH, smsEN, subjectEN) = texts(type)
        let sms = english ? smsEN : smsZH
        let greeting = english ? "Hello,\n\n" : "您好：\n\n"
        let footer = english ? "\n\n${shopName} customer service (order ${orderId})" : "\n\n${shopName} 客服（订单号 ${orderId}）"
        return NotificationTemplate(messageType: type, language: english ? "en" : defaultLanguage,
                                    smsTemplateCode: "SMS_\(460_001 + (NotificationMessageType.allCases.firstIndex(of: type) ?? 0))",
                                    smsText: sms, emailSubject: english ? subjectEN : subjectZH, emailText: greeting + sms + footer, emailHTML: "", version: 0)
    }

    /// (SMS zh-CN, subject zh-CN, SMS en, subject en).
    private static func texts(_ type: NotificationMessageType) -> (String, String, String, String) {
        switch type {
        case .orderConfirmed:
            return ("您在${shopName}的订单${channelOrderId}已确认，金额${total}，我们会尽快为您发货。", "订单已确认 ${channelOrderId}",
                    "Your ${shopName} order ${channelOrderId} (${total}) is confirmed and will ship soon.", "Order confirmed: ${channelOrderId}")
        case .paymentNeeded:
            return ("您在${shopName}的订单${channelOrderId}尚未完成支付，应付${amountDue}，请于${dueAt}前完成支付，逾期订单将自动取消。", "请完成支付 ${channelOrderId}",
                    "Your ${shopName} order ${channelOrderId} is not paid yet: please pay ${amountDue} by ${dueAt}, or it will be cancelled.", "Payment needed: ${channelOrderId}")
        case .addressNeeded:
            return ("您在${shopName}的订单${channelOrderId}收货信息不完整，请在订单页补充地址，或留意客服来电。", "请补充收货地址 ${channelOrderId}",
                    "The delivery details of your ${shopName} order ${channelOrderId} are incomplete: please complete the address on the order page or expect our call.",
                    "Address needed: ${channelOrderId}")
        case .orderCancelled:
            return ("您在${shopName}的订单${channelOrderId}已取消。如有疑问请联系客服。", "订单已取消 ${channelOrderId}",
                    "Your ${shopName} order ${channelOrderId} has been cancelled. Contact us with any question.", "Order cancelled: ${channelOrderId}")
        case .orderCancelledRefund:
            return ("您在${shopName}的订单${channelOrderId}已取消，已付款项${refundAmount}将原路退回。", "订单已取消，款项将退回 ${channelOrderId}",
                    "Your ${shopName} order ${channelOrderId} has been cancelled; the ${refundAmount} you paid will be refunded to your payment method.",
                    "Order cancelled, refund to follow: ${channelOrderId}")
        case .orderRejected:
            return ("很抱歉，您在${shopName}的订单${channelOrderId}未能通过审核，订单已关闭。如有疑问请联系客服。", "订单未通过审核 ${channelOrderId}",
                    "Sorry: your ${shopName} order ${channelOrderId} could not be accepted and is closed. Contact us with any question.", "Order not accepted: ${channelOrderId}")
        case .shipped:
            return ("您在${shopName}的订单${channelOrderId}（包裹${parcelNumber}/${parcelCount}）已由${carrier}发出，运单号${trackingNumber}，预计${estimatedDelivery}送达。",
                    "包裹已发出 ${channelOrderId}（${parcelNumber}/${parcelCount}）",
                    "Parcel ${parcelNumber} of ${parcelCount} of your ${shopName} order ${channelOrderId} has shipped with ${carrier}, tracking number ${trackingNumber}, expected ${estimatedDelivery}.",
                    "Parcel ${parcelNumber} of ${parcelCount} shipped: ${channelOrderId}")
        case .delayed:
            return ("很抱歉，您在${shopName}的订单${channelOrderId}的包裹（${carrier} ${trackingNumber}）运输延误，预计${estimatedDelivery}送达。", "包裹延误 ${channelOrderId}",
                    "Sorry: the parcel of your ${shopName} order ${channelOrderId} (${carrier} ${trackingNumber}) is delayed; now expected ${estimatedDelivery}.",
                    "Parcel delayed: ${channelOrderId}")
        case .delivered:
            return ("您在${shopName}的订单${channelOrderId}的包裹（运单号${trackingNumber}）已签收。如需退货，请在${returnDays}天内在订单页申请。", "包裹已签收 ${channelOrderId}",
                    "The parcel of your ${shopName} order ${channelOrderId} (tracking ${trackingNumber}) was delivered. To return something, apply on the order page within ${returnDays} days.",
                    "Delivered: ${channelOrderId}")
        case .returnApproved:
            return ("您的退货申请${returnId}（订单${channelOrderId}）已通过，请按订单页的地址寄回商品。", "退货申请已通过 ${returnId}",
                    "Your return ${returnId} (order ${channelOrderId}) is approved: please send the items to the address on the order page.", "Return approved: ${returnId}")
        case .returnReceived:
            return ("我们已收到您退回的商品（退货单${returnId}，订单${channelOrderId}），验收后将为您退款。", "退货已收到 ${returnId}",
                    "We received the items of your return ${returnId} (order ${channelOrderId}); the refund follows their inspection.", "Return received: ${returnId}")
        case .refunded:
            return ("您在${shopName}的订单${channelOrderId}已退款${refundAmount}，将原路退回，请留意到账。", "已退款 ${refundAmount}（${channelOrderId}）",
                    "We refunded ${refundAmount} for your ${shopName} order ${channelOrderId} to your payment method.", "Refunded ${refundAmount}: ${channelOrderId}")
        case .exchangeShipped:
            return ("您在${shopName}的订单${channelOrderId}的换货已由${carrier}发出，运单号${trackingNumber}，预计${estimatedDelivery}送达。", "换货已发出 ${channelOrderId}",
                    "The exchange for your ${shopName} order ${channelOrderId} has shipped with ${carrier}, tracking number ${trackingNumber}, expected ${estimatedDelivery}.",
                    "Exchange shipped: ${channelOrderId}")
        case .complaintAcknowledged:
            return ("我们已收到您关于订单${channelOrderId}的反馈（编号${complaintId}），将在${dueAt}前处理并回复您。", "已收到您的反馈 ${complaintId}",
                    "We received your complaint ${complaintId} about order ${channelOrderId} and will answer by ${dueAt}.", "Complaint received: ${complaintId}")
        case .complaintResolved:
            return ("您关于订单${channelOrderId}的反馈（编号${complaintId}）已处理完毕，感谢您的耐心。", "您的反馈已处理 ${complaintId}",
                    "Your complaint ${complaintId} about order ${channelOrderId} has been resolved. Thank you for your patience.", "Complaint resolved: ${complaintId}")
        case .readyForPickup:
            return ("您在${shopName}的订单${channelOrderId}已到${storeId}门店，取件码${pickupCode}（取件单${pickupNumber}），请于${pickupBy}前凭取件码到店自提，逾期订单将取消并退款。",
                    "订单已到店，请凭取件码自提 ${channelOrderId}",
                    "Your ${shopName} order ${channelOrderId} is ready at store ${storeId}: show pickup code ${pickupCode} (pickup ${pickupNumber}) by ${pickupBy}; after that the order is cancelled and refunded.",
                    "Ready for pickup: ${channelOrderId}")
        }
    }
}
