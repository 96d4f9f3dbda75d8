/// The console's pages as Mustache templates, compiled into the binary (one executable to deploy,
/// nothing to find on disk). `{{x}}` HTML-escapes everything a service or a person typed; no
/// template uses the unescaped `{{{x}}}` form. Invariant: every template names its texts as
/// `{{t.key}}` (`ConsoleText`) and every form that changes something carries `_csrf`.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "signin": signIn, "password": password, "home": home, "orders": orders, "order": order,
        "review-queue": reviewQueue, "review": review, "ops": ops, "staff": staff, "error": error,
        "warehouse": warehouse, "wave": wave, "pack": pack, "waybill": waybill, "returns": returns, "stock": stock,
        "purchasing": purchasing, "dead-letters": deadLetters, "insights": insights,
    ]

    static let layout = """
    <!doctype html>
    <html lang="{{htmlLang}}">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · {{t.product}}</title>
    <link rel="stylesheet" href="/assets/console.css">
    <script src="/assets/console.js" defer></script>
    </head>
    <body>
    <header class="top">
      <a class="brand" href="/">{{t.product}}</a>
      <nav>{{#nav}}<a href="{{path}}"{{#active}} class="active"{{/active}}>{{label}}</a>{{/nav}}</nav>
      <div class="who">
        <a href="?lang={{otherLanguage}}" id="language">{{t.language}}</a>
        {{#staff}}<span id="signed-in-as">{{displayName}} · {{roleLabel}}</span>
        <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" id="sign-out">{{t.signOut}}</button></form>{{/staff}}
      </div>
    </header>
    <main>
    <h1>{{title}}</h1>
    {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
    {{#problem}}<p class="problem" id="problem">{{problem}}</p>{{/problem}}
    {{$content}}{{/content}}
    </main>
    <footer>{{t.timesNote}} · {{now}}</footer>
    </body>
    </html>
    """

    static let signIn = """
    {{<layout}}{{$content}}
    <form method="post" action="/login" class="card narrow" id="sign-in-form">
      <input type="hidden" name="_signin" value="{{signInToken}}">
      <label>{{t.account}}<input name="account" id="account" autocomplete="username" required maxlength="64" value="{{account}}" autofocus></label>
      <label>{{t.password}}<input name="password" id="password" type="password" autocomplete="current-password" required maxlength="200"></label>
      <button type="submit" id="sign-in">{{t.signIn}}</button>
    </form>
    {{/content}}{{/layout}}
    """

    static let password = """
    {{<layout}}{{$content}}
    <form method="post" action="/password" class="card narrow" id="password-form">
      <input type="hidden" name="_csrf" value="{{csrf}}">
      <label>{{t.password}}<input name="current" id="current" type="password" autocomplete="current-password" required></label>
      <label>{{t.newPassword}}<input name="new" id="new-password" type="password" autocomplete="new-password" required minlength="10" maxlength="72"></label>
      {{#fieldErrors.new}}<span class="field-error">{{fieldErrors.new}}</span>{{/fieldErrors.new}}
      <label>{{t.repeatPassword}}<input name="repeat" id="repeat-password" type="password" autocomplete="new-password" required></label>
      <button type="submit" id="change-password">{{t.changePassword}}</button>
    </form>
    {{/content}}{{/layout}}
    """

    static let home = """
    {{<layout}}{{$content}}
    <p>{{t.welcome}}, {{staff.displayName}}（{{t.role}}：{{staff.roleLabel}}）</p>
    <ul class="tiles">{{#nav}}{{^home}}<li><a href="{{path}}">{{label}}</a></li>{{/home}}{{/nav}}</ul>
    {{/content}}{{/layout}}
    """

    static let orders = """
    {{<layout}}{{$content}}
    <form method="get" action="/orders" class="card search" id="order-search">
      <label>{{t.search}}<input name="q" id="q" value="{{query}}" placeholder="{{t.searchHint}}" maxlength="100" autofocus></label>
      <label>{{t.channel}}
        <select name="channel" id="channel"><option value=""></option>{{#channels}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/channels}}</select></label>
      <button type="submit" id="search">{{t.search}}</button>
      {{#fieldErrors.q}}<span class="field-error" id="q-error">{{fieldErrors.q}}</span>{{/fieldErrors.q}}
      <label>{{t.status}}<select name="status" id="status"><option value=""></option>{{#statuses}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
      {{#fieldErrors.status}}<span class="field-error">{{fieldErrors.status}}</span>{{/fieldErrors.status}}
      <label>{{t.fromDate}}<input type="date" name="from" id="from" value="{{from}}"></label>
      {{#fieldErrors.from}}<span class="field-error" id="from-error">{{fieldErrors.from}}</span>{{/fieldErrors.from}}
      <label>{{t.toDate}}<input type="date" name="to" id="to" value="{{to}}"></label>
      {{#fieldErrors.to}}<span class="field-error" id="to-error">{{fieldErrors.to}}</span>{{/fieldErrors.to}}
    </form>
    <p class="detail">{{t.searchHelp}}</p>
    {{#searched}}
    {{#hasResults}}<table class="list" id="results"><thead><tr><th>{{t.orderId}}</th><th>{{t.channel}}</th><th>{{t.channelOrderId}}</th><th>{{t.status}}</th><th>{{t.total}}</th><th>{{t.receivedAt}}</th></tr></thead>
    <tbody>{{/hasResults}}{{#results}}<tr><td><a href="/orders/{{orderId}}">{{orderId}}</a></td><td>{{channel}}</td><td>{{channelOrderId}}</td><td>{{status}}</td><td class="money">{{total}}</td><td>{{receivedAt}}</td></tr>{{/results}}
    {{#hasResults}}</tbody></table>{{/hasResults}}
    {{^results}}<p class="empty" id="no-results">{{t.noOrders}}</p>{{/results}}
    {{/searched}}
    {{/content}}{{/layout}}
    """

    static let order = """
    {{<layout}}{{$content}}
    <section class="card" id="summary">
      <dl class="facts">
        <dt>{{t.orderId}}</dt><dd id="order-id">{{order.orderId}}</dd>
        <dt>{{t.channel}}</dt><dd>{{order.channel}} · {{order.channelOrderId}}</dd>
        <dt>{{t.status}}</dt><dd id="order-status"><span class="status">{{order.status}}</span></dd>
        <dt>{{t.customer}}</dt><dd class="customer-name">{{order.customerName}}</dd>
        <dt>{{t.phone}}</dt><dd>{{order.customerPhone}}</dd>
        <dt>{{t.region}}</dt><dd id="order-region">{{order.deliveryRegion}}</dd>
        <dt>{{t.payment}}</dt><dd>{{order.paymentMethod}}{{#order.deposit}} · <span id="order-deposit">{{t.deposit}} {{order.deposit}}</span>{{/order.deposit}}{{#order.paymentDue}} · <span id="order-payment-due">{{t.paymentDue}} {{order.paymentDue}}</span>{{/order.paymentDue}}</dd>
        <dt>{{t.receivedAt}}</dt><dd>{{order.receivedAt}}</dd>
      </dl>
    </section>
    <section class="card"><h2>{{t.lines}}</h2>
      <table class="list" id="lines"><thead><tr><th>#</th><th>{{t.sku}}</th><th>{{t.quantity}}</th><th>{{t.unitPrice}}</th><th>{{t.discount}}</th><th>{{t.paid}}</th></tr></thead><tbody>
      {{#order.lines}}<tr><td>{{lineNumber}}</td><td>{{sku}}{{#gift}} <span class="tag">{{t.gift}}</span>{{/gift}}</td><td>{{quantity}}{{#cancelled}} <span class="tag" id="line-{{lineNumber}}-cancelled">{{t.cancelledUnits}} {{cancelled}}</span>{{/cancelled}}{{#substituted}} <span class="tag" id="line-{{lineNumber}}-substituted">{{t.substitutedUnits}} {{substituted}}</span>{{/substituted}}</td><td class="money">{{unitPrice}}</td><td class="money">{{discount}}</td><td class="money">{{paid}}</td></tr>{{/order.lines}}
      </tbody></table>
      {{#order.totals}}<p class="totals">{{t.goods}} {{goods}} · {{t.discount}} {{discount}} · {{t.shipping}} {{shipping}} · <strong>{{t.total}} <span id="order-total">{{total}}</span></strong></p>{{/order.totals}}
      {{#order.hasPromotions}}<p>{{t.promotions}}：{{/order.hasPromotions}}{{#order.promotions}}<span class="tag">{{.}}</span> {{/order.promotions}}{{#order.hasPromotions}}</p>{{/order.hasPromotions}}
    </section>
    <section class="card"><h2>{{t.timeline}}</h2>
      <ol class="timeline" id="timeline">{{#order.timeline}}<li><time>{{at}}</time> <strong>{{eventType}}</strong>{{#status}} → {{status}}{{/status}} <span class="detail">{{detail}}</span></li>{{/order.timeline}}</ol>
      {{^order.timeline}}<p class="empty">{{t.nothingYet}}</p>{{/order.timeline}}
    </section>
    {{#sections}}
    <section class="card" id="section-{{id}}"><h2>{{title}}</h2>
      {{#unavailable}}<p class="problem">{{t.sectionUnavailable}}</p>{{/unavailable}}
      {{#hasRows}}<table class="list"><thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr></thead><tbody>{{/hasRows}}
      {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}
      {{#hasRows}}</tbody></table>{{/hasRows}}
      {{^unavailable}}{{^rows}}<p class="empty">{{t.nothingYet}}</p>{{/rows}}{{/unavailable}}
    </section>
    {{/sections}}
    {{#canAmend}}
    <section class="card"><h2>{{t.amendOrder}}</h2>
      <p class="hint">{{t.amendHint}}</p>
      <form method="post" action="/orders/{{order.orderId}}/amend" id="amend-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.recipientName}}<input name="recipientName" id="amend-name" maxlength="100"></label>
        {{#fieldErrors.recipientName}}<span class="field-error">{{fieldErrors.recipientName}}</span>{{/fieldErrors.recipientName}}
        <label>{{t.phone}}<input name="recipientPhone" id="amend-phone" inputmode="numeric" maxlength="11"></label>
        {{#fieldErrors.recipientPhone}}<span class="field-error" id="amend-phone-error">{{fieldErrors.recipientPhone}}</span>{{/fieldErrors.recipientPhone}}
        <label>{{t.province}}<input name="province" id="amend-province" maxlength="200"></label>
        <label>{{t.city}}<input name="city" id="amend-city" maxlength="200"></label>
        <label>{{t.district}}<input name="district" id="amend-district" maxlength="200"></label>
        <label>{{t.street}}<input name="street" id="amend-street" maxlength="200"></label>
        <label>{{t.postalCode}}<input name="postalCode" id="amend-postal" inputmode="numeric" maxlength="6"></label>
        {{#fieldErrors.address}}<span class="field-error" id="amend-address-error">{{fieldErrors.address}}</span>{{/fieldErrors.address}}
        <label>{{t.shippingService}}<select name="shippingService" id="amend-service"><option value="">{{t.serviceUnchanged}}</option><option value="standard">{{t.serviceStandard}}</option><option value="express">{{t.serviceExpress}}</option></select></label>
        {{#fieldErrors.shippingService}}<span class="field-error">{{fieldErrors.shippingService}}</span>{{/fieldErrors.shippingService}}
        <button type="submit" id="amend">{{t.amendOrder}}</button>
      </form>
    </section>
    {{/canAmend}}
    {{#canSubstitute}}
    <section class="card"><h2>{{t.substitute}}</h2>
      <p class="hint">{{t.substituteHint}}</p>
      <form method="post" action="/orders/{{order.orderId}}/substitute" id="substitute-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="requestId" value="{{formRequestId}}">
        <label>{{t.lineNumber}}<select name="lineNumber" id="substitute-line">{{#lineNumbers}}<option value="{{number}}">{{number}} · {{sku}}</option>{{/lineNumbers}}</select></label>
        {{#fieldErrors.substituteLineNumber}}<span class="field-error">{{fieldErrors.substituteLineNumber}}</span>{{/fieldErrors.substituteLineNumber}}
        <label>{{t.quantity}}<input name="quantity" id="substitute-quantity" value="1" inputmode="numeric" required></label>
        {{#fieldErrors.substituteQuantity}}<span class="field-error">{{fieldErrors.substituteQuantity}}</span>{{/fieldErrors.substituteQuantity}}
        <label>{{t.sku}}<input name="sku" id="substitute-sku" required maxlength="64"></label>
        {{#fieldErrors.substituteSku}}<span class="field-error" id="substitute-sku-error">{{fieldErrors.substituteSku}}</span>{{/fieldErrors.substituteSku}}
        <label>{{t.reason}}<input name="reason" id="substitute-reason" required maxlength="500"></label>
        {{#fieldErrors.substituteReason}}<span class="field-error">{{fieldErrors.substituteReason}}</span>{{/fieldErrors.substituteReason}}
        <label><input type="checkbox" name="waiveDifference" id="substitute-waive"> {{t.waiveDifference}}</label>
        <button type="submit" id="substitute">{{t.substitute}}</button>
      </form>
    </section>
    {{/canSubstitute}}
    {{#canCancelLines}}
    <section class="card"><h2>{{t.cancelLines}}</h2>
      <p class="hint">{{t.cancelLinesHint}}</p>
      <form method="post" action="/orders/{{order.orderId}}/cancel-lines" id="cancel-lines-form" data-confirm="{{t.cancelLines}}?">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="requestId" value="{{formRequestId}}">
        <label>{{t.lineNumber}}<select name="lineNumber" id="cancel-lines-line">{{#lineNumbers}}<option value="{{number}}">{{number}} · {{sku}}</option>{{/lineNumbers}}</select></label>
        {{#fieldErrors.cancelLine}}<span class="field-error" id="cancel-lines-line-error">{{fieldErrors.cancelLine}}</span>{{/fieldErrors.cancelLine}}
        <label>{{t.quantity}}<input name="quantity" id="cancel-lines-quantity" value="1" inputmode="numeric" required></label>
        {{#fieldErrors.cancelQuantity}}<span class="field-error" id="cancel-lines-quantity-error">{{fieldErrors.cancelQuantity}}</span>{{/fieldErrors.cancelQuantity}}
        <label>{{t.reason}}<input name="reason" id="cancel-lines-reason" required maxlength="500"></label>
        {{#fieldErrors.cancelLinesReason}}<span class="field-error">{{fieldErrors.cancelLinesReason}}</span>{{/fieldErrors.cancelLinesReason}}
        <button type="submit" id="cancel-lines">{{t.cancelLines}}</button>
      </form>
    </section>
    {{/canCancelLines}}
    {{#canCancel}}
    <section class="card"><h2>{{t.cancelOrder}}</h2>
      <form method="post" action="/orders/{{order.orderId}}/cancel" id="cancel-form" data-confirm="{{t.cancelOrder}}?">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.reason}}<input name="reason" id="cancel-reason" required maxlength="500"></label>
        {{#fieldErrors.reason}}<span class="field-error">{{fieldErrors.reason}}</span>{{/fieldErrors.reason}}
        <label>{{t.cancelRequestedBy}}<select name="requestedBy" id="cancel-requested-by"><option value="customer-service">{{t.byMerchant}}</option><option value="customer">{{t.byCustomer}}</option></select></label>
        <button type="submit" class="danger" id="cancel">{{t.cancelOrder}}</button>
      </form>
    </section>
    {{/canCancel}}
    {{#canAfterSales}}
    <div class="actions">
    <form method="post" action="/orders/{{order.orderId}}/returns" class="card" id="return-request-form"><h2>{{t.openReturn}}</h2>
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="requestId" value="{{requestId}}-R">
      <label>{{t.lineNumber}}<select name="lineNumber" id="return-request-line">{{#lineNumbers}}<option value="{{number}}">{{number}} · {{sku}}</option>{{/lineNumbers}}</select></label>
      {{#fieldErrors.lineNumber}}<span class="field-error">{{fieldErrors.lineNumber}}</span>{{/fieldErrors.lineNumber}}
      <label>{{t.quantity}}<input name="quantity" id="return-request-quantity" value="1" inputmode="numeric" required></label>
      {{#fieldErrors.quantity}}<span class="field-error" id="return-quantity-error">{{fieldErrors.quantity}}</span>{{/fieldErrors.quantity}}
      <label>{{t.reason}}<select name="reason" id="return-request-reason">{{#returnReasons}}<option>{{.}}</option>{{/returnReasons}}</select></label>
      <label>{{t.note}}<input name="note" maxlength="500"></label>
      <button type="submit" id="open-return">{{t.openReturn}}</button></form>
    <form method="post" action="/orders/{{order.orderId}}/exchanges" class="card" id="exchange-form"><h2>{{t.openExchange}}</h2>
      <input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="requestId" value="{{requestId}}-X">
      <label>{{t.lineNumber}}<select name="lineNumber">{{#lineNumbers}}<option value="{{number}}">{{number}} · {{sku}}</option>{{/lineNumbers}}</select></label>
      <label>{{t.quantity}}<input name="quantity" value="1" inputmode="numeric" required></label>
      <label>{{t.replacementSku}}<input name="replacementSku" id="replacement-sku" required maxlength="64"></label>
      {{#fieldErrors.replacementSku}}<span class="field-error">{{fieldErrors.replacementSku}}</span>{{/fieldErrors.replacementSku}}
      <button type="submit" id="open-exchange">{{t.openExchange}}</button></form>
    <form method="post" action="/orders/{{order.orderId}}/feedback" class="card" id="feedback-form"><h2>{{t.feedback}}</h2>
      <input type="hidden" name="_csrf" value="{{csrf}}">
      <label>{{t.rating}}<select name="rating" id="feedback-rating"><option>5</option><option>4</option><option>3</option><option>2</option><option>1</option></select></label>
      {{#fieldErrors.rating}}<span class="field-error">{{fieldErrors.rating}}</span>{{/fieldErrors.rating}}
      <label>{{t.comment}}<textarea name="comment" maxlength="1000"></textarea></label>
      <button type="submit" id="record-feedback">{{t.feedback}}</button></form>
    </div>
    {{/canAfterSales}}
    {{#canComplain}}
    <section class="card"><h2>{{t.complaint}}</h2>
      <form method="post" action="/orders/{{order.orderId}}/complaints" id="complaint-form">
        <input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.category}}<select name="category" id="complaint-category">{{#complaintCategories}}<option value="{{.}}">{{.}}</option>{{/complaintCategories}}</select></label>
        {{#fieldErrors.category}}<span class="field-error">{{fieldErrors.category}}</span>{{/fieldErrors.category}}
        <label>{{t.description}}<textarea name="description" id="complaint-description" required maxlength="2000"></textarea></label>
        {{#fieldErrors.description}}<span class="field-error" id="description-error">{{fieldErrors.description}}</span>{{/fieldErrors.description}}
        <button type="submit" id="record-complaint">{{t.complaint}}</button>
      </form>
    </section>
    {{/canComplain}}
    {{/content}}{{/layout}}
    """

    static let reviewQueue = """
    {{<layout}}{{$content}}
    <form method="get" action="/review" class="card search" id="queue-filter">
      <label>{{t.rules}}<select name="rule" id="queue-rule"><option value=""></option>{{#rules}}<option{{#selected}} selected{{/selected}}>{{code}}</option>{{/rules}}</select></label>
      <label>{{t.channel}}<select name="channel"><option value=""></option>{{#channels}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/channels}}</select></label>
      <label class="check"><input type="checkbox" name="overdue" value="true"{{#overdueOnly}} checked{{/overdueOnly}}> {{t.overdueOnly}}</label>
      <button type="submit">{{t.search}}</button>
    </form>
    {{#hasEntries}}<table class="list" id="queue"><thead><tr><th>{{t.orderId}}</th><th>{{t.channel}}</th><th>{{t.score}}</th><th>{{t.rules}}</th><th>{{t.heldAt}}</th><th>{{t.age}}</th></tr></thead><tbody>{{/hasEntries}}
    {{#entries}}<tr{{#overdue}} class="overdue"{{/overdue}}><td><a href="/review/{{orderId}}">{{orderId}}</a></td><td>{{channel}}</td><td>{{score}}</td><td>{{rules}}</td><td>{{heldAt}}</td><td>{{age}}{{#overdue}} <span class="tag warn">{{t.overdue}}</span>{{/overdue}}</td></tr>{{/entries}}
    {{#hasEntries}}</tbody></table>{{/hasEntries}}
    {{^entries}}<p class="empty" id="queue-empty">{{t.queueEmpty}}</p>{{/entries}}
    {{/content}}{{/layout}}
    """

    static let review = """
    {{<layout}}{{$content}}
    <section class="card">
      <dl class="facts">
        <dt>{{t.orderId}}</dt><dd><a href="/orders/{{review.orderId}}" id="review-order">{{review.orderId}}</a></dd>
        <dt>{{t.status}}</dt><dd id="review-status" data-status="{{review.status}}">{{review.statusLabel}}</dd>
        <dt>{{t.score}}</dt><dd>{{review.score}}</dd>
        <dt>{{t.total}}</dt><dd>{{review.total}}</dd>
        <dt>{{t.customer}}</dt><dd>{{review.recipientName}}</dd>
        <dt>{{t.phone}}</dt><dd id="phone">{{review.recipientPhone}}{{#fullPhone}} · {{t.revealed}}: <strong id="full-phone">{{fullPhone}}</strong>{{/fullPhone}}</dd>
        <dt>{{t.region}}</dt><dd>{{review.deliveryRegion}}</dd>
        <dt>{{t.heldAt}}</dt><dd>{{review.heldAt}}</dd>
        {{#review.decidedBy}}<dt>{{t.decided}}</dt><dd>{{review.decidedBy}} {{review.decidedAt}}</dd>{{/review.decidedBy}}
      </dl>
      {{#held}}{{^fullPhone}}<form method="post" action="/review/{{review.orderId}}/reveal" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" id="reveal">{{t.reveal}}</button></form>{{/fullPhone}}{{/held}}
    </section>
    <section class="card"><h2>{{t.findings}}</h2>
      <ul id="findings">{{#review.findings}}<li><strong>{{rule}}</strong> (+{{score}}) {{reason}}</li>{{/review.findings}}</ul>
    </section>
    <section class="card"><h2>{{t.contacts}}</h2>
      <ul>{{#review.contacts}}<li><time>{{at}}</time> {{reviewer}}: {{note}}</li>{{/review.contacts}}</ul>
      {{^review.contacts}}<p class="empty">{{t.nothingYet}}</p>{{/review.contacts}}
      {{#held}}<form method="post" action="/review/{{review.orderId}}/contacts" id="contact-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.note}}<input name="note" id="contact-note" required maxlength="1000"></label>
        {{#fieldErrors.note}}<span class="field-error">{{fieldErrors.note}}</span>{{/fieldErrors.note}}
        <details><summary>{{t.amendAddress}}</summary>
          <label>{{t.customer}}<input name="recipientName" maxlength="50"></label>
          <label>{{t.phone}}<input name="recipientPhone" inputmode="numeric" maxlength="11"></label>
          {{#fieldErrors.recipientPhone}}<span class="field-error">{{fieldErrors.recipientPhone}}</span>{{/fieldErrors.recipientPhone}}
          <label>{{t.province}}<input name="province" maxlength="20"></label><label>{{t.city}}<input name="city" maxlength="20"></label>
          <label>{{t.district}}<input name="district" maxlength="20"></label><label>{{t.street}}<input name="street" maxlength="200"></label>
          <label>{{t.postalCode}}<input name="postalCode" inputmode="numeric" maxlength="6"></label>
          {{#fieldErrors.deliveryAddress}}<span class="field-error">{{fieldErrors.deliveryAddress}}</span>{{/fieldErrors.deliveryAddress}}
        </details>
        <button type="submit" id="record-contact">{{t.recordContact}}</button></form>{{/held}}
    </section>
    {{#held}}
    <section class="card actions">
      <form method="post" action="/review/{{review.orderId}}/approve" id="approve-form"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.note}}<input name="note" id="approve-note" maxlength="1000"></label><button type="submit" id="approve">{{t.approve}}</button></form>
      <form method="post" action="/review/{{review.orderId}}/reject" id="reject-form" data-confirm="{{t.reject}}?"><input type="hidden" name="_csrf" value="{{csrf}}">
        <label>{{t.note}}<input name="note" id="reject-note" maxlength="1000"></label><button type="submit" class="danger" id="reject">{{t.reject}}</button></form>
    </section>
    {{/held}}
    {{/content}}{{/layout}}
    """

    static let ops = """
    {{<layout}}{{$content}}
    <section class="card"><h2>{{t.readiness}}</h2>
    <table class="list" id="readiness"><thead><tr><th>{{t.service}}</th><th>{{t.status}}</th><th>{{t.lag}}</th><th>{{t.outbox}}</th><th>{{t.consumerGroups}}</th><th></th></tr></thead><tbody>
    {{#services}}<tr><td>{{name}}</td><td>{{#ready}}<span class="tag ok">{{t.ready}}</span>{{/ready}}{{^ready}}<span class="tag warn" title="{{detail}}">{{t.notReady}}</span>{{/ready}}</td>
    <td class="money">{{lag}}</td><td class="money">{{outbox}}</td><td class="detail">{{groups}}</td><td><a href="/ops/dead-letters/{{name}}" id="dead-letters-{{name}}">{{t.deadLetters}}</a></td></tr>{{/services}}
    </tbody></table>
    <p class="detail">{{t.outboxNote}}</p></section>
    {{/content}}{{/layout}}
    """

    static let deadLetters = """
    {{<layout}}{{$content}}
    {{#hasEntries}}<table class="list" id="dead-letter-list"><thead><tr><th>ID</th><th>{{t.event}}</th><th>{{t.orderId}}</th><th>{{t.reason}}</th><th>{{t.origin}}</th><th>{{t.at}}</th><th>{{t.status}}</th></tr></thead><tbody>{{/hasEntries}}
    {{#entries}}<tr><td>{{id}}</td><td>{{eventType}}</td><td>{{orderKey}}</td><td>{{reason}}<div class="detail">{{preview}}</div></td><td class="detail">{{origin}}</td><td>{{failedAt}}</td><td>{{state}}</td></tr>{{/entries}}
    {{#hasEntries}}</tbody></table>{{/hasEntries}}
    {{^entries}}<p class="empty" id="no-dead-letters">{{t.noDeadLetters}}</p>{{/entries}}
    {{#openIDs}}
    <form method="post" action="/ops/dead-letters/{{service}}/dry-run" class="card" id="dry-run-form"><input type="hidden" name="_csrf" value="{{csrf}}">
      <label>{{t.entriesToRedrive}}<input name="ids" id="redrive-ids" value="{{openIDs}}" maxlength="4000"></label>
      <button type="submit" id="dry-run">{{t.dryRun}}</button></form>
    {{/openIDs}}
    {{#dryRun}}<section class="card" id="dry-run-result"><h2>{{t.dryRunResult}}</h2>
      <p>{{t.wouldRedrive}} <strong id="would-redrive">{{wouldRedrive}}</strong></p>
      {{#quarantined}}<p>{{t.quarantined}} {{quarantined}}</p>{{/quarantined}}{{#already}}<p>{{t.alreadyRedriven}} {{already}}</p>{{/already}}
      {{#any}}<form method="post" action="/ops/dead-letters/{{service}}/redrive" id="redrive-form" data-confirm="{{t.redrive}}?"><input type="hidden" name="_csrf" value="{{csrf}}">
        <input type="hidden" name="ids" value="{{ids}}"><button type="submit" class="danger" id="redrive">{{t.redrive}}</button></form>{{/any}}
    </section>{{/dryRun}}
    <p><a href="/ops">{{t.back}}</a></p>
    {{/content}}{{/layout}}
    """

    static let insights = """
    {{<layout}}{{$content}}
    <section class="card"><dl class="facts" id="headline">{{#headline}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/headline}}</dl></section>
    <section class="card"><h2>{{t.salesByChannel}}</h2>
    <table class="list" id="sales"><thead><tr><th>{{t.channel}}</th><th>{{t.orders}}</th><th>{{t.units}}</th><th>{{t.revenue}}</th><th>{{t.averageOrder}}</th><th>{{t.discount}}</th></tr></thead><tbody>
    {{#channels}}<tr><td>{{channel}}</td><td class="money">{{orders}}</td><td class="money">{{units}}</td><td class="money">{{revenue}}</td><td class="money">{{average}}</td><td class="money">{{discount}}</td></tr>{{/channels}}
    </tbody></table></section>
    {{/content}}{{/layout}}
    """

    static let warehouse = """
    {{<layout}}{{$content}}
    <form method="get" action="/warehouse" class="card search" id="warehouse-choice">
      <label>{{t.warehouse}}<select name="code" id="warehouse-code">{{#warehouses}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/warehouses}}</select></label>
      <span></span><button type="submit">{{t.show}}</button>
    </form>
    {{#code}}<form method="post" action="/warehouse/{{code}}/waves" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" id="release-wave">{{t.releaseWave}} {{code}}</button></form>{{/code}}
    <p><a href="/warehouse/returns" id="receive-returns">{{t.receiveReturn}}</a></p>
    <section class="card"><h2>{{t.waves}}</h2>
    {{#hasWaves}}<table class="list" id="waves"><thead><tr><th>{{t.wave}}</th><th>{{t.status}}</th><th>{{t.orders}}</th><th>{{t.progress}}</th><th>{{t.releasedBy}}</th><th>{{t.at}}</th></tr></thead><tbody>{{/hasWaves}}
    {{#waves}}<tr><td><a href="/warehouse/waves/{{waveId}}">{{waveId}}</a></td><td>{{status}}</td><td>{{orders}}</td><td>{{progress}}</td><td>{{releasedBy}}</td><td>{{createdAt}}</td></tr>{{/waves}}
    {{#hasWaves}}</tbody></table>{{/hasWaves}}
    {{^waves}}<p class="empty">{{t.noWaves}}</p>{{/waves}}
    </section>
    {{/content}}{{/layout}}
    """

    static let wave = """
    {{<layout}}{{$content}}
    <p>{{t.warehouse}} {{wave.warehouseId}} · {{t.status}} <span id="wave-status">{{wave.status}}</span> · {{t.progress}} <span id="wave-progress">{{wave.progress}}</span></p>
    {{#scanning}}<form method="post" action="/warehouse/waves/{{wave.waveId}}/scan" class="card" id="scan-form"><input type="hidden" name="_csrf" value="{{csrf}}">
      <p>{{t.nextPick}} <strong id="next-location">{{current.location}}</strong> · <span id="next-sku">{{current.sku}}</span> {{current.itemName}}</p>
      <label>{{t.scanBarcode}}<input name="barcode" id="scan" autocomplete="off" autofocus maxlength="64"></label>
      {{#fieldErrors.barcode}}<span class="field-error" id="scan-error">{{fieldErrors.barcode}}</span>{{/fieldErrors.barcode}}
    </form>{{/scanning}}
    <table class="list" id="pick-list"><thead><tr><th>#</th><th>{{t.location}}</th><th>{{t.sku}}</th><th>{{t.quantity}}</th><th>{{t.picked}}</th><th>{{t.short}}</th><th>{{t.status}}</th><th></th></tr></thead><tbody>
    {{#tasks}}<tr{{#current}} class="current"{{/current}}><td>{{sequence}}</td><td>{{location}}</td><td>{{sku}} <span class="detail">{{itemName}}</span></td><td>{{quantity}}</td><td>{{picked}}</td><td>{{short}}</td><td>{{status}}</td>
    <td>{{#open}}<form method="post" action="/warehouse/waves/{{wave.waveId}}/tasks/{{taskId}}/short" class="inline" data-confirm="{{t.reportShort}}?"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">{{t.reportShort}}</button></form>{{/open}}</td></tr>{{/tasks}}
    </tbody></table>
    <section class="card"><h2>{{t.packStation}}</h2><ul id="wave-orders">{{#fulfillmentOrders}}<li><a href="/warehouse/pack/{{id}}">{{id}}</a></li>{{/fulfillmentOrders}}</ul></section>
    {{/content}}{{/layout}}
    """

    static let pack = """
    {{<layout}}{{$content}}
    <p>{{t.orderId}} {{fo.orderId}} · {{t.warehouse}} {{fo.warehouseId}} · {{t.status}} <span id="fo-status">{{fo.status}}</span></p>
    {{#mergedWith}}<p class="notice" id="merged-with">{{t.mergedWith}} {{mergedWith}}</p>{{/mergedWith}}
    <table class="list" id="pack-lines"><thead><tr><th>#</th><th>{{t.sku}}</th><th>{{t.quantity}}</th><th>{{t.scanned}}</th></tr></thead><tbody>
    {{#lines}}<tr><td>{{lineNumber}}</td><td>{{sku}}</td><td>{{quantity}}</td><td>{{scanned}}{{#done}} <span class="tag ok">✓</span>{{/done}}</td></tr>{{/lines}}
    </tbody></table>
    {{#packable}}
    {{^complete}}<form method="post" action="/warehouse/pack/{{fo.id}}/scan" class="card" id="pack-scan-form"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="scanned" value="{{scanned}}">
      <label>{{t.scanBarcode}}<input name="barcode" id="pack-scan" autocomplete="off" autofocus maxlength="64"></label>
      {{#fieldErrors.barcode}}<span class="field-error" id="pack-scan-error">{{fieldErrors.barcode}}</span>{{/fieldErrors.barcode}}
    </form>{{/complete}}
    <form method="post" action="/warehouse/pack/{{fo.id}}" id="pack-form"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="scanned" value="{{scanned}}">
      <button type="submit" id="pack"{{^complete}} disabled{{/complete}}>{{t.packIt}}</button> <span class="detail">{{t.cartonNote}}</span></form>
    {{/packable}}
    <section class="card"><h2>{{t.parcels}}</h2>
    <table class="list" id="parcels"><thead><tr><th>{{t.parcel}}</th><th>{{t.carton}}</th><th>{{t.weight}}</th></tr></thead><tbody>
    {{#parcels}}<tr><td>{{parcelId}}</td><td>{{carton}}</td><td>{{weight}} g</td></tr>{{/parcels}}</tbody></table>
    {{#awaitingCarrier}}<p class="detail" id="awaiting-carrier">{{t.awaitingCarrier}}</p>{{/awaitingCarrier}}
    <ul id="waybills">{{#shipments}}<li><a href="/warehouse/waybill/{{tracking}}" class="waybill-link">{{t.waybill}} {{carrier}} {{tracking}}</a></li>{{/shipments}}</ul>
    </section>
    {{/content}}{{/layout}}
    """

    static let waybill = """
    {{<layout}}{{$content}}
    <section class="label" id="label">
      <div class="label-head"><strong>{{label.carrierName}}</strong> <span>{{label.carrier}}</span></div>
      <img src="{{label.barcodePath}}" alt="{{label.trackingNumber}}" id="barcode">
      <div class="label-tracking" id="tracking">{{label.trackingNumber}}</div>
      <div class="label-grid">
        <div><small>{{t.recipient}}</small><p id="label-recipient">{{label.recipient.name}} {{label.recipient.phone}}<br>{{label.recipient.province}} {{label.recipient.city}} {{label.recipient.address}}</p></div>
        <div><small>{{t.sender}}</small><p>{{label.sender.name}}<br>{{label.sender.province}} {{label.sender.city}} {{label.sender.address}}</p></div>
      </div>
      <p>{{t.orderId}} {{label.orderId}} · {{label.channelOrderId}} · {{label.weightGrams}} g{{#label.cod}} · <strong>{{t.cod}} {{label.cod}}</strong>{{/label.cod}}{{#label.insured}} · {{t.insured}} {{label.declared}}{{/label.insured}}</p>
      {{#label.boxOrders}}<p id="box-orders"><strong>{{t.boxOrders}}</strong> {{label.boxOrders}}</p>{{/label.boxOrders}}
      {{#label.handlingText}}<p class="detail">{{label.handlingText}}</p>{{/label.handlingText}}
    </section>
    <p class="no-print"><a href="#" id="print" data-print="1">{{t.print}}</a></p>
    {{/content}}{{/layout}}
    """

    static let returns = """
    {{<layout}}{{$content}}
    <form method="post" action="/warehouse/returns" class="card narrow" id="return-form"><input type="hidden" name="_csrf" value="{{csrf}}">
      <label>{{t.returnId}}<input name="returnId" id="return-id" required maxlength="80" value="{{form.returnId}}"></label>
      {{#fieldErrors.returnId}}<span class="field-error">{{fieldErrors.returnId}}</span>{{/fieldErrors.returnId}}
      <label>{{t.warehouse}}<input name="warehouseId" id="return-warehouse" required maxlength="32" value="{{form.warehouseId}}"></label>
      {{#fieldErrors.warehouseId}}<span class="field-error">{{fieldErrors.warehouseId}}</span>{{/fieldErrors.warehouseId}}
      <label>{{t.lineNumber}}<input name="lineNumber" id="return-line" required inputmode="numeric" value="{{form.lineNumber}}"></label>
      {{#fieldErrors.lineNumber}}<span class="field-error">{{fieldErrors.lineNumber}}</span>{{/fieldErrors.lineNumber}}
      <label>{{t.quantity}}<input name="quantity" id="return-quantity" required inputmode="numeric" value="{{form.quantity}}"></label>
      {{#fieldErrors.quantity}}<span class="field-error">{{fieldErrors.quantity}}</span>{{/fieldErrors.quantity}}
      <label>{{t.condition}}<select name="condition" id="return-condition">{{#conditions}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{code}}</option>{{/conditions}}</select></label>
      {{#fieldErrors.condition}}<span class="field-error">{{fieldErrors.condition}}</span>{{/fieldErrors.condition}}
      <button type="submit" id="receive-return">{{t.receiveReturn}}</button>
    </form>
    {{/content}}{{/layout}}
    """

    static let stock = """
    {{<layout}}{{$content}}
    <form method="get" action="/stock" class="card search" id="stock-search">
      <label>{{t.sku}}<input name="sku" id="sku" value="{{sku}}" maxlength="64" autofocus></label><span></span>
      {{#fieldErrors.sku}}<span class="field-error" id="sku-error">{{fieldErrors.sku}}</span>{{/fieldErrors.sku}}
      <button type="submit" id="show-stock">{{t.search}}</button>
    </form>
    {{#stock}}
    <p>{{t.onHand}} <strong>{{stock.onHand}}</strong> · {{t.availableToSell}} <strong id="available">{{stock.availableToSell}}</strong> · {{t.reserved}} {{stock.reserved}} · {{t.backorders}} {{stock.openBackorders}}</p>
    <table class="list" id="stock-warehouses"><thead><tr><th>{{t.warehouse}}</th><th>{{t.onHand}}</th><th>{{t.reserved}}</th><th>{{t.availableToSell}}</th><th>{{t.quarantinedStock}}</th><th>{{t.inTransit}}</th><th>{{t.safetyStock}}</th><th>{{t.reorderPoint}}</th></tr></thead><tbody>
    {{#warehouses}}<tr><td>{{warehouseId}}</td><td class="money">{{onHand}}</td><td class="money">{{reserved}}</td><td class="money">{{availableToSell}}</td><td class="money">{{quarantined}}</td><td class="money">{{inTransit}}</td><td class="money">{{safetyStock}}</td><td class="money">{{reorderPoint}}</td></tr>{{/warehouses}}
    </tbody></table>
    <section class="card"><h2>{{t.movements}}</h2>
    <table class="list" id="movements"><thead><tr><th>{{t.at}}</th><th>{{t.warehouse}}</th><th>{{t.kind}}</th><th>{{t.onHand}}</th><th>{{t.reserved}}</th><th>{{t.cause}}</th></tr></thead><tbody>
    {{#movements}}<tr><td>{{at}}</td><td>{{warehouseId}}</td><td>{{kind}}</td><td class="money">{{onHand}}</td><td class="money">{{reserved}}</td><td class="detail">{{cause}}</td></tr>{{/movements}}
    </tbody></table></section>
    {{#canChange}}
    <div class="actions">
    <form method="post" action="/stock/adjustments" class="card" id="adjust-form"><h2>{{t.adjustStock}}</h2><input type="hidden" name="_csrf" value="{{csrf}}">
      <input type="hidden" name="sku" value="{{sku}}"><input type="hidden" name="requestId" value="{{requestId}}-A">
      <label>{{t.warehouse}}<select name="warehouseId" id="adjust-warehouse">{{#warehouseCodes}}<option>{{code}}</option>{{/warehouseCodes}}</select></label>
      <label>{{t.reason}}<select name="reasonCode" id="adjust-reason">{{#reasonCodes}}<option>{{.}}</option>{{/reasonCodes}}</select></label>
      <label>{{t.quantity}}<input name="quantity" id="adjust-quantity" required inputmode="numeric"></label>
      {{#fieldErrors.quantity}}<span class="field-error" id="adjust-quantity-error">{{fieldErrors.quantity}}</span>{{/fieldErrors.quantity}}
      <label>{{t.note}}<input name="note" maxlength="500"></label>
      <button type="submit" id="adjust">{{t.adjustStock}}</button></form>
    <form method="post" action="/stock/receipts" class="card" id="receipt-form"><h2>{{t.receiveGoods}}</h2><input type="hidden" name="_csrf" value="{{csrf}}">
      <input type="hidden" name="sku" value="{{sku}}"><input type="hidden" name="requestId" value="{{requestId}}-R">
      <label>{{t.warehouse}}<select name="warehouseId">{{#warehouseCodes}}<option>{{code}}</option>{{/warehouseCodes}}</select></label>
      <label>{{t.quantity}}<input name="quantity" id="receipt-quantity" required inputmode="numeric"></label>
      {{#fieldErrors.receiptQuantity}}<span class="field-error">{{fieldErrors.receiptQuantity}}</span>{{/fieldErrors.receiptQuantity}}
      <button type="submit" id="receive">{{t.receiveGoods}}</button></form>
    </div>
    {{/canChange}}
    {{/stock}}
    {{/content}}{{/layout}}
    """

    static let purchasing = """
    {{<layout}}{{$content}}
    <section class="card"><h2>{{t.draftPOs}}</h2>
    {{^has.drafts}}<p id="no-drafts">{{t.noDraftPOs}}</p>{{/has.drafts}}
    {{#has.drafts}}<table class="list" id="draft-pos"><thead><tr><th>{{t.poNumber}}</th><th>{{t.supplier}}</th><th>{{t.warehouse}}</th><th>{{t.poLines}}</th><th>{{t.total}}</th><th></th></tr></thead><tbody>{{/has.drafts}}
    {{#drafts}}<tr id="draft-{{poNumber}}"><td>{{poNumber}}</td><td>{{supplier}} ({{supplierCode}})</td><td>{{warehouseId}}</td>
      <td class="detail">{{#lineItems}}<form method="post" action="/purchasing/{{poNumber}}/lines/{{skuPath}}" class="po-line"><input type="hidden" name="_csrf" value="{{csrf}}">{{sku}} × <input name="quantity" value="{{quantity}}" size="5" inputmode="numeric" class="po-quantity"> @ {{cost}} <button type="submit" class="change-po-line">{{t.changeQuantity}}</button></form>{{/lineItems}}</td><td class="money">{{total}}</td>
      <td><form method="post" action="/purchasing/{{poNumber}}/approve" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="approve-po">{{t.approvePO}}</button></form>
      <form method="post" action="/purchasing/{{poNumber}}/cancel" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="cancel-po">{{t.cancelPO}}</button></form></td></tr>{{/drafts}}
    {{#has.drafts}}</tbody></table>{{/has.drafts}}
    </section>
    {{#has.open}}<section class="card"><h2>{{t.openPOs}}</h2>
    <table class="list" id="open-pos"><thead><tr><th>{{t.poNumber}}</th><th>{{t.supplier}}</th><th>{{t.warehouse}}</th><th>{{t.poLines}}</th><th>{{t.total}}</th><th>{{t.expectedArrival}}</th><th>{{t.approvedBy}}</th></tr></thead><tbody>
    {{#open}}<tr><td>{{poNumber}}</td><td>{{supplier}}</td><td>{{warehouseId}}</td><td class="detail">{{lines}}</td><td class="money">{{total}}</td><td>{{expectedAt}}</td><td>{{approvedBy}}</td></tr>{{/open}}
    </tbody></table></section>{{/has.open}}
    {{#has.requests}}<section class="card"><h2>{{t.openRequests}}</h2>
    <table class="list" id="open-requests"><thead><tr><th>{{t.sku}}</th><th>{{t.warehouse}}</th><th>{{t.quantity}}</th><th>{{t.reason}}</th><th>{{t.orderId}}</th><th>{{t.at}}</th></tr></thead><tbody>
    {{#requests}}<tr><td>{{sku}}</td><td>{{warehouseId}}</td><td class="money">{{quantity}}</td><td>{{reason}}</td><td>{{orderId}}</td><td>{{at}}</td></tr>{{/requests}}
    </tbody></table></section>{{/has.requests}}
    {{/content}}{{/layout}}
    """

    static let staff = """
    {{<layout}}{{$content}}
    {{#created}}<p class="notice" id="created">{{created.name}} · {{t.oneTimePassword}}<code id="one-time-password">{{created.password}}</code></p>{{/created}}
    <section class="card"><h2>{{t.create}}</h2>
    <form method="post" action="/staff" id="staff-form"><input type="hidden" name="_csrf" value="{{csrf}}">
      <label>{{t.name}}<input name="name" id="staff-name" required maxlength="64" value="{{form.name}}"></label>
      {{#fieldErrors.name}}<span class="field-error">{{fieldErrors.name}}</span>{{/fieldErrors.name}}
      <label>{{t.displayName}}<input name="displayName" id="staff-display-name" required maxlength="100" value="{{form.displayName}}"></label>
      {{#fieldErrors.displayName}}<span class="field-error">{{fieldErrors.displayName}}</span>{{/fieldErrors.displayName}}
      <label>{{t.role}}<select name="role" id="staff-role">{{#roles}}<option value="{{code}}">{{label}}</option>{{/roles}}</select></label>
      <button type="submit" id="create-staff">{{t.create}}</button>
    </form></section>
    <section class="card"><table class="list" id="accounts"><thead><tr><th>{{t.name}}</th><th>{{t.displayName}}</th><th>{{t.role}}</th><th>{{t.active}}</th></tr></thead><tbody>
    {{#accounts}}<tr><td>{{name}}</td><td>{{displayName}}</td><td>{{roleLabel}}</td><td>{{active}}</td></tr>{{/accounts}}
    </tbody></table></section>
    <section class="card"><h2>{{t.staffAudit}}</h2><ol class="timeline">{{#audit}}<li><time>{{at}}</time> {{staff}} {{action}} {{detail}}</li>{{/audit}}</ol></section>
    {{/content}}{{/layout}}
    """

    static let error = """
    {{<layout}}{{$content}}
    <p class="problem" id="error-message">{{message}}</p>
    <p><a href="/">{{t.back}}</a></p>
    {{/content}}{{/layout}}
    """
}
