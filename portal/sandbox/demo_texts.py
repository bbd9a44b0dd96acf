"""What the demo academy says about its content: a summary and a description of each item."""

from __future__ import annotations

# title -> (short description, description)
DESCRIPTIONS = {
    "Foundations of Leadership": (
        "The habits that turn a good colleague into a leader people choose to follow.",
        "Start with what leadership asks of you day to day: setting direction, making decisions "
        "with incomplete information and earning trust. You will map your own leadership style, "
        "practise short conversations that set clear expectations, and leave with a 30-day plan "
        "for your team.",
    ),
    "Coaching Conversations": (
        "Help people find their own answers with questions instead of instructions.",
        "Coaching is a conversation in which the other person does most of the thinking. This "
        "course walks through the GROW model, the questions that open a conversation up and the "
        "ones that close it down, and how to agree a next step without taking the problem back "
        "onto your own desk.",
    ),
    "Leading Remote Teams": (
        "Keep a distributed team connected, focused and fairly treated.",
        "Remote work changes how trust is built and how work becomes visible. Learn to set "
        "working agreements, run meetings that include everyone whatever their time zone, and "
        "notice early when someone is drifting out of the team's conversations.",
    ),
    "Giving Feedback That Lands": (
        "Say what needs saying so that it is heard and acted on.",
        "Feedback fails when it is vague, late or about the person rather than the work. You "
        "will practise the situation-behaviour-impact model, prepare a difficult conversation "
        "step by step, and learn to ask for feedback on how you give it.",
    ),
    "Strategic Thinking for Managers": (
        "Connect your team's daily work to where the organisation is heading.",
        "Strategy is a set of choices about where to play and how to win. This premium course "
        "teaches managers to read the market, test assumptions with simple scenarios, and "
        "translate a company strategy into three priorities their team can own.",
    ),
    "Executive Presence": (
        "Communicate with the clarity and calm that senior rooms expect.",
        "Executive presence is learnable: it comes from preparation, concise messages and "
        "composure under questioning. Through recorded practice and peer review you will "
        "sharpen how you open a briefing, handle challenge and close with a clear ask.",
    ),
    "Spreadsheet Essentials": (
        "Build clean, reliable spreadsheets that others can understand.",
        "From tidy data layouts to lookups, conditional formatting and pivot tables, this "
        "course covers the spreadsheet skills every analyst relies on. Each lesson ends with a "
        "short exercise on a real sales dataset.",
    ),
    "Python for Analysts": (
        "Automate your analysis with Python, pandas and a notebook.",
        "Move from manual spreadsheet work to repeatable analysis. You will load and clean data "
        "with pandas, summarise it with group-bys, draw charts with matplotlib and share your "
        "work as a notebook that a colleague can rerun.",
    ),
    "SQL from Zero": (
        "Ask questions of a database and get trustworthy answers.",
        "No prior experience needed. You will write SELECT queries, filter and sort results, "
        "join tables, aggregate with GROUP BY and learn the common mistakes that quietly double "
        "count rows.",
    ),
    "Data Storytelling": (
        "Turn numbers into a message people remember and act on.",
        "A chart is an argument. Learn to choose the right chart for your point, remove clutter, "
        "use colour with intent and structure a short data story with a beginning, a tension "
        "and a recommendation.",
    ),
    "Machine Learning Basics": (
        "Understand what machine learning can and cannot do for your business.",
        "A practical introduction to supervised learning: framing a prediction problem, "
        "splitting data, training a first model, reading a confusion matrix and spotting "
        "leakage and bias before they reach production.",
    ),
    "Dashboard Design": (
        "Design dashboards that answer a question at a glance.",
        "Good dashboards start from the decisions they support. This course covers layout, "
        "choosing metrics, alert thresholds and testing a dashboard with the people who will "
        "use it every morning.",
    ),
    "Information Security Awareness": (
        "Recognise the everyday threats to our information and know what to do.",
        "This annual course covers passwords and multi-factor authentication, phishing and "
        "social engineering, handling confidential documents, working safely on public Wi-Fi "
        "and how to report an incident quickly.",
    ),
    "Data Protection and GDPR": (
        "Handle personal data lawfully, fairly and securely.",
        "Learn the principles of the GDPR, the lawful bases for processing, what individuals "
        "may ask of us, how long we may keep data and what to do in the first 72 hours after a "
        "personal data breach.",
    ),
    "Anti-Bribery and Corruption": (
        "Know where the line is on gifts, hospitality and facilitation payments.",
        "Bribery laws apply wherever we do business. Through realistic scenarios you will learn "
        "our gifts and hospitality limits, the warning signs in third-party relationships and "
        "how to raise a concern confidentially.",
    ),
    "Workplace Health and Safety": (
        "Keep yourself and your colleagues safe at work.",
        "Covers risk assessment, safe display screen use, manual handling, fire safety and "
        "first aid arrangements, and the duties that employers and employees each carry.",
    ),
    "Insider Trading Rules": (
        "Understand inside information and the rules on dealing in shares.",
        "Learn what counts as inside information, the closed periods before results, the "
        "pre-clearance process for share dealing and the personal consequences of a breach.",
    ),
    "Export Control Essentials": (
        "Ship products and share technology without breaching export controls.",
        "An overview of dual-use goods, sanctions lists, licence requirements and record "
        "keeping, with a checklist to use before any international shipment or technical "
        "data transfer.",
    ),
    "Customer Discovery Calls": (
        "Run first calls that uncover real needs instead of pitching too early.",
        "Prepare with account research, open with a clear agenda, ask layered questions about "
        "the customer's goals and obstacles, and close with a next step both sides have agreed.",
    ),
    "Handling Difficult Customers": (
        "Stay calm and constructive when a customer is angry or upset.",
        "Learn to listen for the need behind the complaint, acknowledge without admitting fault, "
        "set boundaries respectfully and turn a tense call into a plan the customer trusts.",
    ),
    "Negotiation Masterclass": (
        "Negotiate with confidence and create value for both sides.",
        "A premium masterclass on preparation, anchoring, trading concessions and handling "
        "deadlock, with recorded role plays and personal feedback from an experienced "
        "negotiator.",
    ),
    "Onboarding New Accounts": (
        "Give every new customer a first ninety days that builds loyalty.",
        "Plan the handover from sales, run a kick-off meeting, agree success measures with the "
        "customer and spot the early signs of an account at risk.",
    ),
    "Mindful Work Habits": (
        "Short practices that bring focus and calm to a busy working day.",
        "Learn simple mindfulness techniques you can use between meetings, how to single-task "
        "in a world of notifications and how to end the working day with a clear mind.",
    ),
    "Sleep, Energy and Focus": (
        "Use what sleep science says to work with your energy, not against it.",
        "Understand sleep cycles and circadian rhythm, build an evening routine, plan "
        "demanding work for your best hours and recover well after a poor night.",
    ),
    "Resilience at Work": (
        "Bounce back from setbacks and support colleagues under pressure.",
        "Explore what resilience is and is not, practise reframing setbacks, build a personal "
        "support network and learn how teams recover together after a difficult period.",
    ),
    "Legacy Time Management": (
        "Our earlier course on planning your week, replaced by Mindful Work Habits.",
        "This course is no longer offered. Its ideas on weekly planning and prioritising live "
        "on in Mindful Work Habits and Sleep, Energy and Focus.",
    ),
    "Live Q&A: Leading Through Change": (
        "Bring your questions about leading a team through change to a live session.",
        "Our leadership faculty answers questions from managers in the middle of a "
        "reorganisation, a new strategy or a merger. Send your question in advance or ask it "
        "live.",
    ),
    "Quarterly Data Clinic": (
        "A live clinic for your spreadsheet, SQL and dashboard questions.",
        "Each quarter our data team looks at real problems sent in by learners, works through "
        "them on screen and shares the files afterwards.",
    ),
    "Compliance Update 2026": (
        "What changes in our compliance rules this year, in one hour.",
        "A live briefing on new regulations, updated internal policies and the lessons from "
        "last year's incidents, with time for questions to the compliance team.",
    ),
    "Customer Success Roundtable": (
        "Customer success managers share what is working with their accounts.",
        "A facilitated live discussion on renewals, adoption campaigns and handling escalations, "
        "with short case studies from three teams.",
    ),
    "Ten Habits of Effective Managers": (
        "A ten-minute read on the small habits that make managers effective.",
        "From weekly one-to-ones to writing decisions down, these ten habits come from "
        "interviews with managers whose teams consistently rate them highly.",
    ),
    "Reading a Confusion Matrix": (
        "How to read precision, recall and accuracy from one small table.",
        "A short illustrated article explaining true and false positives, why accuracy can "
        "mislead on imbalanced data and which measure to report for which decision.",
    ),
    "Phishing: What to Look For": (
        "Spot a phishing email in under a minute.",
        "Six real examples of phishing emails sent to our staff, annotated with the clues that "
        "gave them away and what to do when you are not sure.",
    ),
    "Five-Minute Breathing Break": (
        "A guided five-minute breathing exercise for a calmer afternoon.",
        "Follow a short guided exercise based on box breathing, designed to be used at your "
        "desk between meetings.",
    ),
    "Pivot Tables in Two Minutes": (
        "Summarise a table of sales by region and month in two minutes.",
        "A quick video showing how to build, filter and refresh a pivot table, and how to turn "
        "it into a chart.",
    ),
    "Active Listening in Practice": (
        "Watch active listening change the course of a customer call.",
        "Two versions of the same customer call, side by side, show what summarising, "
        "labelling emotions and open questions change in the conversation.",
    ),
    "New Manager Journey": (
        "Everything a first-time manager needs in their first six months.",
        "Four courses take you from leading yourself to leading others: leadership foundations, "
        "coaching, feedback and leading a remote team. Complete the path to earn the New "
        "Manager certificate.",
    ),
    "Data Analyst Track": (
        "From spreadsheets to SQL and Python: the analyst's core toolkit.",
        "Build the skills our analysts use every day, in the order they build on each other, "
        "and finish by presenting a small analysis as a data story.",
    ),
    "Annual Compliance": (
        "The compliance courses every employee completes each year.",
        "Information security, data protection, anti-bribery and health and safety in one "
        "path. Your certificate is valid for twelve months.",
    ),
    "Customer Champion": (
        "Win, keep and grow customers with confidence.",
        "Discovery calls, handling difficult conversations and onboarding new accounts, for "
        "everyone who speaks with customers.",
    ),
    "Healthy Habits": (
        "Look after your focus, energy and resilience.",
        "Three short courses on mindful work, sleep and resilience, to take at your own pace.",
    ),
    "Leadership Premium Bundle": (
        "Premium leadership courses for senior managers.",
        "Strategic thinking, executive presence and machine learning for leaders, available to "
        "the clients who hold the premium package.",
    ),
    "Leadership Offsite London": (
        "A day in London with fellow managers to plan the year ahead.",
        "Work through the year's leadership priorities in small groups, hear from two "
        "executives and leave with a plan agreed with your peers. Lunch is provided.",
    ),
    "Analytics Meetup Manchester": (
        "A morning of short talks and conversation for analysts.",
        "Three lightning talks from our analytics teams, followed by open discussion and a "
        "chance to meet colleagues from other offices.",
    ),
    "Compliance Briefing 2025": (
        "Last year's live compliance briefing, for those who attended.",
        "The 2025 briefing covered new sanctions rules, updated gifts and hospitality limits "
        "and lessons from the year's incidents.",
    ),
}

# Replies learners left on a course's discussion (UserCourseCollaborations counts them).
COLLABORATIONS = (
    "The GROW model finally clicked for me when I tried it with a question about a deadline.",
    "Does anyone have a good opening question for a coaching chat with a senior colleague?",
    "I used the 'what else?' question three times today and got much better answers.",
)


def short_description(title: str) -> str:
    return DESCRIPTIONS[title][0]


def description(title: str) -> str:
    return DESCRIPTIONS[title][1]


def topic_body(course: str, topic: str) -> str:
    """The text of a topic of a course's syllabus."""
    summary = short_description(course)
    return {
        "Welcome": f"Welcome to {course}. {summary}",
        "What you will learn": f"In {course} you will learn: {summary[0].lower()}{summary[1:]}",
        "Key concepts": f"The key ideas of {course}, each with an example from daily work.",
        "A worked example": f"A worked example from start to finish, applying {course}.",
        "Try it yourself": f"An exercise to practise what {course} teaches on your own work.",
        "Check your understanding": f"Five questions to check what you took from {course}.",
    }.get(topic, f"{topic}: {summary}")
